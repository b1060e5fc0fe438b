"""The receivable registry gate a server runs with (or None), built from its settings.

Kept apart from the gate so that importing the routers costs no web3 connection. The
server's factory puts the gate on ``app.state.receivable_registry``; it hands batches
without financing acts to the receipt registry's gate when that one is on too.
"""

from __future__ import annotations

from typing import Any

from finance_api.receipts_chain.keys import ChainKeys, ChainKeysUnreadable
from finance_api.receivables_chain.client import ReceivableRegistryClient
from finance_api.receivables_chain.gate import ReceivableGate
from finance_api.receivables_chain.settings import ReceivableRegistrySettings
from ledger.anchoring.chain import Chain


def gate_from_settings(settings: ReceivableRegistrySettings,
                       fallback: Any = None) -> ReceivableGate | None:  # fmt: skip
    """The gate when ``settings.contract`` is set; None when the registry is off."""
    if settings.contract is None:
        return None
    if settings.keys_file is None:
        raise ChainKeysUnreadable(
            "THREEFLOW_RECEIVABLE_REGISTRY_KEYS_FILE must name the lenders' chain keys",
            field="keys_file",
        )
    chain = Chain.connect(settings.rpc_url, timeout=settings.rpc_timeout)
    return ReceivableGate(chain, ReceivableRegistryClient(chain, settings.contract),
                          ChainKeys.from_file(settings.keys_file),
                          wait_timeout=settings.wait_timeout, fallback=fallback)  # fmt: skip
