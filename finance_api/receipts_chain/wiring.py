"""The registry gate a server runs with, built from :class:`RegistrySettings` (or None).

Kept apart from the gate so that importing the routers costs no web3 connection: the
server's factory calls :func:`gate_from_settings` once, and the receipt routes use the
gate it puts on ``app.state.receipt_registry`` when there is one.
"""

from __future__ import annotations

from finance_api.receipts_chain.client import ReceiptRegistryClient
from finance_api.receipts_chain.gate import RegistryGate
from finance_api.receipts_chain.keys import ChainKeys, ChainKeysUnreadable
from finance_api.receipts_chain.service import ReceiptChainService
from finance_api.receipts_chain.settings import RegistrySettings
from ledger.anchoring.chain import Chain
from ledger.log import Ledger


def gate_from_settings(ledger: Ledger, settings: RegistrySettings) -> RegistryGate | None:
    """The gate when ``settings.contract`` is set; None when the registry is off."""
    if settings.contract is None:
        return None
    if settings.keys_file is None:
        raise ChainKeysUnreadable(
            "THREEFLOW_RECEIPT_REGISTRY_KEYS_FILE must name the participants' chain keys",
            field="keys_file",
        )
    chain = Chain.connect(settings.rpc_url, timeout=settings.rpc_timeout)
    service = ReceiptChainService(
        ledger,
        chain,
        ReceiptRegistryClient(chain, settings.contract),
        settings=settings.chain_settings(),
    )
    return RegistryGate(
        service, ChainKeys.from_file(settings.keys_file), wait_timeout=settings.wait_timeout
    )
