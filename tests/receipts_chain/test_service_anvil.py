"""Receipt operations on a real node (anvil): lifecycle, idempotence, refusals, outages,
reorganisations and operations in flight."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from finance_api.receipts_chain.client import ReceiptRegistryClient, ReceiptStatus
from finance_api.receipts_chain.errors import AlreadyPledged, NotPledgee, UnknownReceipt
from finance_api.receipts_chain.service import ReceiptChainService
from finance_api.receipts_chain.store import OpKind, OpStatus
from ledger.anchoring import Chain, ChainUnavailable
from ledger.anchoring.devnode import free_port
from ledger.core.clock import FixedClock
from ledger.core.errors import Conflict
from ledger.log import Ledger
from tests.ledger.scenario import NOW
from tests.receipts_chain.conftest import SETTINGS, Parties, doc, rpc

pytestmark = pytest.mark.chain


@contextmanager
def automine_off(chain: Chain) -> Iterator[None]:
    rpc(chain, "evm_setAutomine", False)
    try:
        yield
    finally:
        rpc(chain, "evm_setAutomine", True)


def registered(service: ReceiptChainService, parties: Parties, tag: str) -> bytes:
    """A receipt registered for the holder, confirmed."""
    document = doc(tag)
    service.register(
        f"reg-{tag}", tag, document, warehouse=parties.warehouse, holder=parties.holder.address
    )
    service.chain.mine(SETTINGS.confirmations)
    assert service.poll().confirmed == (f"reg-{tag}",)
    return document


def test_full_lifecycle_register_pledge_release_cancel(
    chain: Chain, registry: ReceiptRegistryClient, service: ReceiptChainService, parties: Parties
) -> None:
    document = doc("lifecycle")
    op = service.register(
        "e1", "WR-1", document, warehouse=parties.warehouse, holder=parties.holder.address
    )
    assert (op.kind, op.status, op.attempt) == (OpKind.REGISTER, OpStatus.PENDING, 1)
    assert op.tx_hash is not None
    assert op.nonce == 0
    assert op.chain_id == chain.chain_id
    assert op.sender == parties.warehouse.address
    assert service.poll().confirmed == ()  # mined, 1 deep of 3
    chain.mine(2)
    assert service.poll().confirmed == ("e1",)
    done = service.op("e1")
    assert done.status is OpStatus.CONFIRMED
    assert done.block_hash == chain.block_hash(done.block_number or 0)
    assert registry.get(document).status is ReceiptStatus.REGISTERED

    service.pledge("e2", "WR-1", document, holder=parties.holder, lender=parties.lender.address)
    assert registry.get(document).pledgee == parties.lender.address
    service.release("e3", "WR-1", document, lender=parties.lender)
    service.cancel("e4", "WR-1", document, warehouse=parties.warehouse)
    chain.mine(3)
    assert sorted(service.poll().confirmed) == ["e2", "e3", "e4"]
    record = registry.get(document)
    assert (record.status, record.pledgee) == (ReceiptStatus.CANCELLED, None)
    kinds = [(o.op_id, o.kind, o.status) for o in service.ops()]
    assert kinds == [
        ("e1", OpKind.REGISTER, OpStatus.CONFIRMED),
        ("e2", OpKind.PLEDGE, OpStatus.CONFIRMED),
        ("e3", OpKind.RELEASE, OpStatus.CONFIRMED),
        ("e4", OpKind.CANCEL, OpStatus.CONFIRMED),
    ]
    assert [e.name for e in registry.events()][-4:] == [
        "ReceiptRegistered",
        "ReceiptPledged",
        "ReceiptReleased",
        "ReceiptCancelled",
    ]


def test_the_same_op_id_twice_sends_nothing_new(
    chain: Chain, registry: ReceiptRegistryClient, service: ReceiptChainService, parties: Parties
) -> None:
    document = registered(service, parties, "idem")
    first = service.pledge(
        "p", "idem", document, holder=parties.holder, lender=parties.lender.address
    )
    again = service.pledge(
        "p", "idem", document, holder=parties.holder, lender=parties.lender.address
    )
    assert again == first
    assert chain.next_nonce(parties.holder.address) == 1  # one transaction, not two
    with pytest.raises(Conflict):  # the same key for another request is refused
        service.pledge(
            "p", "idem", document, holder=parties.holder, lender=parties.other_lender.address
        )
    assert len(service.attempts("p")) == 1
    assert [e.name for e in registry.events()].count("ReceiptPledged") == 1


def test_an_effect_already_on_chain_is_adopted_not_sent_again(
    chain: Chain, registry: ReceiptRegistryClient, service: ReceiptChainService, parties: Parties
) -> None:
    document = registered(service, parties, "adopt")
    # A run sent the pledge, then died before writing its row.
    tx = registry.pledge(document, parties.lender.address, sender=parties.holder)
    # anvil's automine answers the send before the block is indexed for eth_getLogs; the
    # effect to adopt is a mined one, so wait for it (an unmined one is sent and refused).
    chain.wait(tx)
    op = service.pledge(
        "p", "adopt", document, holder=parties.holder, lender=parties.lender.address
    )
    assert op.tx_hash == tx
    assert op.block_number is not None
    assert chain.next_nonce(parties.holder.address) == 1
    chain.mine(2)
    assert service.poll().confirmed == ("p",)
    # A claimed event is never adopted twice: a new pledge op is sent, and refused.
    with pytest.raises(AlreadyPledged):
        service.pledge(
            "p2", "adopt", document, holder=parties.holder, lender=parties.lender.address
        )


def test_a_double_pledge_is_refused_whoever_asks_and_recorded_as_failed(
    chain: Chain, registry: ReceiptRegistryClient, service: ReceiptChainService, parties: Parties
) -> None:
    document = registered(service, parties, "double")
    service.pledge("p1", "double", document, holder=parties.holder, lender=parties.lender.address)
    askers = {
        "by-holder": parties.holder,
        "by-other-lender": parties.other_lender,
        "by-warehouse": parties.warehouse,
    }
    for op_id, asker in askers.items():
        with pytest.raises(AlreadyPledged) as refused:
            service.pledge(
                op_id, "double", document, holder=asker, lender=parties.other_lender.address
            )
        assert refused.value.revert_args == {
            "documentHash": document,
            "pledgee": parties.lender.address,
        }
        failed = service.op(op_id)
        assert failed.status is OpStatus.FAILED
        assert failed.tx_hash is None  # refused by the dry run: no gas spent
        assert failed.error is not None
        assert failed.error.startswith("AlreadyPledged(")
    with pytest.raises(AlreadyPledged):  # asking again gives the same answer, sends nothing
        service.pledge(
            "by-holder",
            "double",
            document,
            holder=parties.holder,
            lender=parties.other_lender.address,
        )
    with pytest.raises(AlreadyPledged):
        service.check("by-warehouse")
    assert registry.get(document).pledgee == parties.lender.address
    with pytest.raises(NotPledgee):
        service.release("r", "double", document, lender=parties.other_lender)
    with pytest.raises(UnknownReceipt):
        service.pledge(
            "p-unknown", "nope", doc("nope"), holder=parties.holder, lender=parties.lender.address
        )


def test_a_double_pledge_in_flight_is_refused_on_chain_and_recorded_as_failed(
    chain: Chain, registry: ReceiptRegistryClient, service: ReceiptChainService, parties: Parties
) -> None:
    document = registered(service, parties, "race")
    with automine_off(chain):
        first = service.pledge(
            "p1", "race", document, holder=parties.holder, lender=parties.lender.address
        )
        # While the first is unmined a dry run would misjudge, so the second goes out too.
        second = service.pledge(
            "p2", "race", document, holder=parties.holder, lender=parties.other_lender.address
        )
        assert second.tx_hash is not None
        assert second.nonce == (first.nonce or 0) + 1
        chain.mine(3)
    result = service.poll()
    assert result.confirmed == ("p1",)
    assert result.failed == ("p2",)
    refused = service.op("p2")
    assert refused.status is OpStatus.FAILED
    assert refused.tx_hash == second.tx_hash  # mined, reverted, decoded by replay
    assert refused.error is not None
    assert refused.error.startswith("AlreadyPledged(")
    with pytest.raises(AlreadyPledged):
        service.check("p2")
    assert registry.get(document).pledgee == parties.lender.address


def test_a_node_that_is_down_queues_the_op_and_it_is_sent_later(
    ledger: Ledger,
    chain: Chain,
    registry: ReceiptRegistryClient,
    service: ReceiptChainService,
    parties: Parties,
) -> None:
    document = doc("outage")
    down = Chain.connect(f"http://127.0.0.1:{free_port()}", timeout=1.0)
    offline = ReceiptChainService(
        ledger, down, ReceiptRegistryClient(down, registry.address), clock=FixedClock(NOW)
    )
    op = offline.register(
        "e1", "WR-out", document, warehouse=parties.warehouse, holder=parties.holder.address
    )
    assert op.queued
    assert op.error is not None
    assert "unreachable" in op.error
    assert offline.flush() == ()  # still down: still queued, nothing raised
    with pytest.raises(ChainUnavailable):
        offline.poll()
    assert offline.op("e1").queued
    with pytest.raises(UnknownReceipt):
        registry.get(document)

    # The node is back (a new process, the signer handed over again): the op goes out once.
    assert service.flush() == ()  # no signer for the warehouse yet: it stays queued
    service.add_signer(parties.warehouse)
    [sent] = service.flush()
    assert (sent.op_id, sent.attempt, sent.status) == ("e1", 1, OpStatus.PENDING)
    assert sent.tx_hash is not None
    assert service.flush() == ()
    chain.mine(2)
    assert service.poll().confirmed == ("e1",)
    assert registry.get(document).holder == parties.holder.address
    assert len(service.ops()) == 1


def test_a_reorg_orphans_the_op_and_sends_it_again(
    chain: Chain, registry: ReceiptRegistryClient, service: ReceiptChainService, parties: Parties
) -> None:
    document = registered(service, parties, "reorg")
    snapshot = rpc(chain, "evm_snapshot")
    dropped = service.pledge(
        "p", "reorg", document, holder=parties.holder, lender=parties.lender.address
    )
    service.poll()  # records the block it was mined in
    rpc(chain, "evm_revert", snapshot)
    chain.mine(3)  # the other branch grows past the dropped block
    assert registry.get(document).status is ReceiptStatus.REGISTERED

    result = service.poll()
    assert result.orphaned == ("p",)
    assert result.resent == ("p",)
    old, new = service.attempts("p")
    assert (old.status, old.tx_hash) == (OpStatus.ORPHANED, dropped.tx_hash)
    assert (new.attempt, new.status) == (2, OpStatus.PENDING)
    assert new.tx_hash not in (None, old.tx_hash)
    assert new.nonce == old.nonce  # the dropped nonce is free again
    chain.mine(3)
    assert service.poll().confirmed == ("p",)
    assert service.op("p").status is OpStatus.CONFIRMED
    assert registry.get(document).pledgee == parties.lender.address


def test_a_reorg_of_a_confirmed_op_is_detected(
    chain: Chain, registry: ReceiptRegistryClient, service: ReceiptChainService, parties: Parties
) -> None:
    document = registered(service, parties, "deep")
    snapshot = rpc(chain, "evm_snapshot")
    service.pledge("p", "deep", document, holder=parties.holder, lender=parties.lender.address)
    chain.mine(2)
    assert service.poll().confirmed == ("p",)
    rpc(chain, "evm_revert", snapshot)
    chain.mine(4)
    result = service.poll()
    assert (result.orphaned, result.resent) == (("p",), ("p",))
    assert [a.status for a in service.attempts("p")] == [OpStatus.ORPHANED, OpStatus.PENDING]
    assert registry.get(document).pledgee == parties.lender.address


def test_ops_in_flight_take_consecutive_nonces_and_all_land(
    chain: Chain, registry: ReceiptRegistryClient, service: ReceiptChainService, parties: Parties
) -> None:
    a, b = doc("flight-a"), doc("flight-b")
    with automine_off(chain):
        first = service.register(
            "ra", "A", a, warehouse=parties.warehouse, holder=parties.holder.address
        )
        second = service.register(
            "rb", "B", b, warehouse=parties.warehouse, holder=parties.holder.address
        )
        # The pledge depends on a register nobody has mined yet: sent without a dry run.
        pledge = service.pledge("pa", "A", a, holder=parties.holder, lender=parties.lender.address)
        assert (first.nonce, second.nonce, pledge.nonce) == (0, 1, 0)
        assert service.poll().pending == 3  # none mined yet: all wait
        chain.mine(3)
    result = service.poll()
    assert sorted(result.confirmed) == ["pa", "ra", "rb"]
    assert registry.get(a).status is ReceiptStatus.PLEDGED
    assert registry.get(b).status is ReceiptStatus.REGISTERED
