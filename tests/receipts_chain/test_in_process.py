"""Receipt operations on web3's in-process EVM (no node at all), with node-unlocked senders."""

from __future__ import annotations

import pytest

from finance_api.receipts_chain.client import ReceiptRegistryClient, ReceiptStatus
from finance_api.receipts_chain.errors import AlreadyPledged, StillPledged
from finance_api.receipts_chain.service import ReceiptChainService, ReceiptChainSettings
from finance_api.receipts_chain.store import OpStatus
from ledger.anchoring import Chain
from ledger.core.clock import FixedClock
from ledger.log import Ledger
from tests.ledger.scenario import NOW
from tests.receipts_chain.conftest import doc


def test_lifecycle_and_double_pledge_in_process(ledger: Ledger) -> None:
    chain = Chain.in_process()
    owner, warehouse, holder, lender, other = chain.dev_accounts()[:5]
    registry = ReceiptRegistryClient.deploy(chain, sender=owner)
    chain.wait(registry.admit_warehouse(warehouse, sender=owner))
    service = ReceiptChainService(
        ledger,
        chain,
        registry,
        clock=FixedClock(NOW),
        settings=ReceiptChainSettings(confirmations=2),
    )
    document = doc("in-process")

    service.register("e1", "WR-9", document, warehouse=warehouse, holder=holder)
    service.pledge("e2", "WR-9", document, holder=holder, lender=lender)
    with pytest.raises(AlreadyPledged):
        service.pledge("e3", "WR-9", document, holder=holder, lender=other)
    with pytest.raises(StillPledged):
        service.cancel("e4", "WR-9", document, warehouse=warehouse)
    chain.mine(1)
    result = service.poll()
    assert result.confirmed == ("e1", "e2")
    assert result.pending == 0
    assert [(o.op_id, o.status) for o in service.ops()] == [
        ("e1", OpStatus.CONFIRMED),
        ("e2", OpStatus.CONFIRMED),
        ("e3", OpStatus.FAILED),
        ("e4", OpStatus.FAILED),
    ]

    service.release("e5", "WR-9", document, lender=lender)
    service.cancel("e6", "WR-9", document, warehouse=warehouse)
    assert service.cancel("e6", "WR-9", document, warehouse=warehouse).op_id == "e6"
    chain.mine(1)
    assert service.poll().confirmed == ("e5", "e6")
    assert registry.get(document).status is ReceiptStatus.CANCELLED
    assert len(service.ops()) == 6
