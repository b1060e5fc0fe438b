"""WarehouseReceiptRegistry on anvil: admission, one registration per document, one pledge.

The double pledge is the fraud this contract exists to stop, so it is tried by everyone
who could ask: the holder again, the first lender, a second lender, the warehouse, the
owner. All must be refused with ``AlreadyPledged``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from eth_typing import ChecksumAddress

from finance_api.receipts_chain.client import ReceiptRegistryClient, ReceiptStatus
from finance_api.receipts_chain.errors import (
    AlreadyAdmitted,
    AlreadyCancelled,
    AlreadyPledged,
    AlreadyRegistered,
    NotAdmittedWarehouse,
    NotHolder,
    NotIssuer,
    NotPledged,
    NotPledgee,
    StillPledged,
    UnknownReceipt,
)
from ledger.anchoring import Chain
from ledger.anchoring.errors import NotOwner, ZeroAddress

pytestmark = pytest.mark.chain

DOC = hashlib.sha256(b"receipt document 1").digest()
DOC2 = hashlib.sha256(b"receipt document 2").digest()
ZERO = "0x" + "00" * 20


@pytest.fixture
def roles(accounts: list[ChecksumAddress]) -> dict[str, ChecksumAddress]:
    return {
        "owner": accounts[0],
        "warehouse": accounts[1],
        "holder": accounts[2],
        "lender": accounts[3],
        "lender2": accounts[4],
        "stranger": accounts[5],
        "warehouse2": accounts[6],
    }


@pytest.fixture
def registered(
    chain: Chain, registry: ReceiptRegistryClient, roles: dict[str, ChecksumAddress]
) -> ReceiptRegistryClient:
    chain.wait(registry.register(DOC, roles["holder"], sender=roles["warehouse"]))
    return registry


@pytest.fixture
def pledged(
    chain: Chain, registered: ReceiptRegistryClient, roles: dict[str, ChecksumAddress]
) -> ReceiptRegistryClient:
    chain.wait(registered.pledge(DOC, roles["lender"], sender=roles["holder"]))
    return registered


def test_only_the_owner_admits_warehouses(
    chain: Chain, registry: ReceiptRegistryClient, roles: dict[str, ChecksumAddress]
) -> None:
    for who in ("warehouse", "stranger"):
        with pytest.raises(NotOwner):
            registry.admit_warehouse(roles["warehouse2"], sender=roles[who])
    assert not registry.is_warehouse(roles["warehouse2"])
    outcome = chain.wait(registry.admit_warehouse(roles["warehouse2"], sender=roles["owner"]))
    assert registry.is_warehouse(roles["warehouse2"])
    [event] = registry.decode_events(outcome)
    assert (event.name, event.args) == ("WarehouseAdmitted", {"warehouse": roles["warehouse2"]})
    with pytest.raises(AlreadyAdmitted):
        registry.admit_warehouse(roles["warehouse2"], sender=roles["owner"])
    with pytest.raises(ZeroAddress):
        registry.admit_warehouse(ZERO, sender=roles["owner"])


def test_only_an_admitted_warehouse_registers(
    chain: Chain, registry: ReceiptRegistryClient, roles: dict[str, ChecksumAddress]
) -> None:
    for who in ("owner", "holder", "lender", "warehouse2"):
        with pytest.raises(NotAdmittedWarehouse) as refused:
            registry.register(DOC, roles["holder"], sender=roles[who])
        assert refused.value.revert_args == {"caller": roles[who]}
    with pytest.raises(UnknownReceipt):
        registry.get(DOC)
    outcome = chain.wait(registry.register(DOC, roles["holder"], sender=roles["warehouse"]))
    receipt = registry.get(DOC)
    assert (receipt.warehouse, receipt.holder) == (roles["warehouse"], roles["holder"])
    assert (receipt.status, receipt.pledgee) == (ReceiptStatus.REGISTERED, None)
    [event] = registry.decode_events(outcome)
    assert event.name == "ReceiptRegistered"
    assert event.args == {
        "documentHash": DOC,
        "warehouse": roles["warehouse"],
        "holder": roles["holder"],
    }
    with pytest.raises(ZeroAddress):
        registry.register(DOC2, ZERO, sender=roles["warehouse"])


def test_a_document_hash_registers_once_by_any_warehouse(
    chain: Chain, registered: ReceiptRegistryClient, roles: dict[str, ChecksumAddress]
) -> None:
    chain.wait(registered.admit_warehouse(roles["warehouse2"], sender=roles["owner"]))
    for who in ("warehouse", "warehouse2"):
        with pytest.raises(AlreadyRegistered) as refused:
            registered.register(DOC, roles["stranger"], sender=roles[who])
        assert refused.value.revert_args == {"documentHash": DOC}
        assert refused.value.status == 409
    assert registered.get(DOC).holder == roles["holder"]


def test_only_the_holder_pledges(
    chain: Chain, registered: ReceiptRegistryClient, roles: dict[str, ChecksumAddress]
) -> None:
    for who in ("lender", "warehouse", "owner", "stranger"):
        with pytest.raises(NotHolder) as refused:
            registered.pledge(DOC, roles[who], sender=roles[who])
        assert refused.value.revert_args == {"documentHash": DOC, "caller": roles[who]}
    with pytest.raises(UnknownReceipt):
        registered.pledge(DOC2, roles["lender"], sender=roles["holder"])
    with pytest.raises(ZeroAddress):
        registered.pledge(DOC, ZERO, sender=roles["holder"])
    outcome = chain.wait(registered.pledge(DOC, roles["lender"], sender=roles["holder"]))
    receipt = registered.get(DOC)
    assert (receipt.status, receipt.pledgee) == (ReceiptStatus.PLEDGED, roles["lender"])
    [event] = registered.decode_events(outcome)
    assert event.name == "ReceiptPledged"
    assert event.args == {
        "documentHash": DOC,
        "holder": roles["holder"],
        "pledgee": roles["lender"],
    }


@pytest.mark.parametrize("asker", ["holder", "lender", "lender2", "warehouse", "owner"])
@pytest.mark.parametrize("to", ["lender", "lender2"])
def test_a_second_pledge_is_refused_whoever_asks(
    pledged: ReceiptRegistryClient, roles: dict[str, ChecksumAddress], asker: str, to: str
) -> None:
    with pytest.raises(AlreadyPledged) as refused:
        pledged.pledge(DOC, roles[to], sender=roles[asker])
    assert refused.value.revert_args == {"documentHash": DOC, "pledgee": roles["lender"]}
    assert pledged.get(DOC).pledgee == roles["lender"]


def test_only_the_pledgee_releases(
    chain: Chain, pledged: ReceiptRegistryClient, roles: dict[str, ChecksumAddress]
) -> None:
    for who in ("holder", "lender2", "warehouse", "owner"):
        with pytest.raises(NotPledgee) as refused:
            pledged.release(DOC, sender=roles[who])
        assert refused.value.revert_args == {"documentHash": DOC, "caller": roles[who]}
    outcome = chain.wait(pledged.release(DOC, sender=roles["lender"]))
    receipt = pledged.get(DOC)
    assert (receipt.status, receipt.pledgee) == (ReceiptStatus.REGISTERED, None)
    [event] = pledged.decode_events(outcome)
    assert (event.name, event.args) == (
        "ReceiptReleased",
        {"documentHash": DOC, "pledgee": roles["lender"]},
    )
    with pytest.raises(NotPledged):
        pledged.release(DOC, sender=roles["lender"])
    # once released, the holder may pledge to another lender
    chain.wait(pledged.pledge(DOC, roles["lender2"], sender=roles["holder"]))
    assert pledged.get(DOC).pledgee == roles["lender2"]


def test_cancel_only_by_the_issuer_and_only_when_not_pledged(
    chain: Chain, pledged: ReceiptRegistryClient, roles: dict[str, ChecksumAddress]
) -> None:
    chain.wait(pledged.admit_warehouse(roles["warehouse2"], sender=roles["owner"]))
    with pytest.raises(StillPledged) as refused:
        pledged.cancel(DOC, sender=roles["warehouse"])
    assert refused.value.revert_args == {"documentHash": DOC, "pledgee": roles["lender"]}
    chain.wait(pledged.release(DOC, sender=roles["lender"]))
    for who in ("warehouse2", "holder", "owner", "lender"):
        with pytest.raises(NotIssuer):
            pledged.cancel(DOC, sender=roles[who])
    outcome = chain.wait(pledged.cancel(DOC, sender=roles["warehouse"]))
    assert pledged.get(DOC).status == ReceiptStatus.CANCELLED
    [event] = pledged.decode_events(outcome)
    assert (event.name, event.args) == (
        "ReceiptCancelled",
        {"documentHash": DOC, "warehouse": roles["warehouse"]},
    )
    # a cancelled receipt is dead: no pledge, no second cancel, no re-registration
    with pytest.raises(AlreadyCancelled):
        pledged.pledge(DOC, roles["lender"], sender=roles["holder"])
    with pytest.raises(AlreadyCancelled):
        pledged.cancel(DOC, sender=roles["warehouse"])
    with pytest.raises(AlreadyRegistered):
        pledged.register(DOC, roles["holder"], sender=roles["warehouse"])
    with pytest.raises(UnknownReceipt):
        pledged.cancel(DOC2, sender=roles["warehouse"])


def test_every_change_emits_one_event_in_order(
    chain: Chain, registry: ReceiptRegistryClient, roles: dict[str, ChecksumAddress]
) -> None:
    steps: list[Callable[[], bytes]] = [
        lambda: registry.register(DOC, roles["holder"], sender=roles["warehouse"]),
        lambda: registry.pledge(DOC, roles["lender"], sender=roles["holder"]),
        lambda: registry.release(DOC, sender=roles["lender"]),
        lambda: registry.cancel(DOC, sender=roles["warehouse"]),
    ]
    start = chain.wait(steps[0]()).block_number
    for step in steps[1:]:
        chain.wait(step())
    names = [e.name for e in registry.events(from_block=start)]
    assert names == ["ReceiptRegistered", "ReceiptPledged", "ReceiptReleased", "ReceiptCancelled"]
    all_names = {e.name for e in registry.events(from_block=0)}
    assert {"OwnershipTransferred", "WarehouseAdmitted"} <= all_names


def test_registry_ownership_moves(
    chain: Chain, registry: ReceiptRegistryClient, roles: dict[str, ChecksumAddress]
) -> None:
    with pytest.raises(NotOwner):
        registry.transfer_ownership(roles["stranger"], sender=roles["stranger"])
    chain.wait(registry.transfer_ownership(roles["stranger"], sender=roles["owner"]))
    assert registry.owner() == roles["stranger"]
    with pytest.raises(NotOwner):
        registry.admit_warehouse(roles["warehouse2"], sender=roles["owner"])
