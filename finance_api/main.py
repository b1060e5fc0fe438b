"""Application factory for uvicorn (``--factory``), reading settings from the environment.

When anchoring is configured (``THREEFLOW_ANCHOR_CONTRACT`` and the anchorer's key), the
server also runs the anchoring loop in a background thread: every N entries or T seconds.
When the shared receipt registry is configured (``THREEFLOW_RECEIPT_REGISTRY_CONTRACT``
and the participants' keys file), receipt acts go to the chain and the ledger together.
Risk alerts owed to lenders' webhooks are delivered by another (``finance_api.lending``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI

from finance_api.app import create_app
from finance_api.heap import settle_heap
from ledger.log import Ledger
from ledger.settings import open_from_settings

log = logging.getLogger(__name__)


def anchoring_from_settings(ledger: Ledger) -> Callable[[], None] | None:
    """Start the anchor loop if settings ask for it; returns the function that stops it."""
    from ledger.anchoring.settings import get_anchor_settings

    settings = get_anchor_settings()
    if settings.contract is None:
        return None
    from ledger.anchoring.anchor_versions import open_anchor_client
    from ledger.anchoring.cli import connect
    from ledger.anchoring.loop import AnchorLoop, start_anchor_loop
    from ledger.anchoring.service import AnchorService

    chain = connect(settings)
    service = AnchorService(
        ledger, chain, open_anchor_client(chain, settings.contract), settings.account(), settings
    )
    thread, stop = start_anchor_loop(AnchorLoop(service))
    log.info(
        "anchoring to %s every %s entries or %ss",
        settings.contract,
        settings.every_entries,
        settings.every_seconds,
    )

    def halt() -> None:
        stop.set()
        thread.join(timeout=10)

    return halt


def background_from_settings(ledger: Ledger) -> Callable[[], None]:
    """Anchoring (when configured) and the risk monitor's webhook delivery."""
    from finance_api.lending.webhooks import start_delivery

    halts = [h for h in (anchoring_from_settings(ledger), start_delivery(ledger)) if h]

    def halt() -> None:
        for stop in halts:
            stop()

    return halt


def receipt_registry_from_settings(ledger: Ledger) -> object | None:
    """The receipt registry's gate when ``THREEFLOW_RECEIPT_REGISTRY_CONTRACT`` is set."""
    from finance_api.receipts_chain.settings import RegistrySettings
    from finance_api.receipts_chain.wiring import gate_from_settings

    return gate_from_settings(ledger, RegistrySettings())


def receivable_registry_from_settings(fallback: object | None) -> object | None:
    """The receivable registry's gate when ``THREEFLOW_RECEIVABLE_REGISTRY_CONTRACT`` is set
    (batches without financing acts go on to ``fallback``, the receipt registry's gate)."""
    from finance_api.receivables_chain.settings import ReceivableRegistrySettings
    from finance_api.receivables_chain.wiring import gate_from_settings

    return gate_from_settings(ReceivableRegistrySettings(), fallback)


def create_from_settings() -> FastAPI:
    ledger = open_from_settings()
    app = create_app(ledger, close_ledger=True, on_startup=background_from_settings)
    app.state.receipt_registry = receipt_registry_from_settings(ledger)
    app.state.receivable_registry = receivable_registry_from_settings(app.state.receipt_registry)
    settle_heap()  # the served process: what is built by now is never walked again by the GC
    return app
