"""LedgerAnchor on anvil: who may anchor, sizes only grow, views, events, in-flight nonces."""

from __future__ import annotations

import hashlib

import pytest
from eth_account import Account
from eth_typing import ChecksumAddress
from web3.types import Wei

from ledger.anchoring import (
    BadChainInput,
    Chain,
    ChainUnavailable,
    ConfirmationTimeout,
    LedgerAnchorClient,
    TxOptions,
)
from ledger.anchoring.devnode import free_port
from ledger.anchoring.errors import (
    AnchorNotFound,
    NoAnchor,
    NotAnchorer,
    NotOwner,
    TreeSizeNotIncreasing,
    ZeroAddress,
)

pytestmark = pytest.mark.chain

LEDGER = hashlib.sha256(b"ledger:test").digest()
OTHER_LEDGER = hashlib.sha256(b"ledger:other").digest()


def root(n: int) -> bytes:
    return hashlib.sha256(f"root {n}".encode()).digest()


def with_anchorer(
    chain: Chain, anchors: LedgerAnchorClient, owner: str, anchorer: str
) -> LedgerAnchorClient:
    chain.wait(anchors.set_anchorer(LEDGER, anchorer, sender=owner))
    return anchors


def test_only_owner_sets_the_anchorer(
    chain: Chain, anchors: LedgerAnchorClient, accounts: list[ChecksumAddress]
) -> None:
    owner, anchorer, stranger = accounts[0], accounts[1], accounts[2]
    with pytest.raises(NotOwner) as refused:
        anchors.set_anchorer(LEDGER, stranger, sender=stranger)
    assert refused.value.revert_args == {"caller": stranger}
    assert refused.value.status == 403
    with pytest.raises(NotOwner):
        anchors.set_anchorer(LEDGER, anchorer, sender=anchorer)
    assert anchors.anchorer_of(LEDGER) is None

    outcome = chain.wait(anchors.set_anchorer(LEDGER, anchorer, sender=owner))
    assert anchors.anchorer_of(LEDGER) == anchorer
    [event] = anchors.decode_events(outcome)
    assert event.name == "AnchorerSet"
    assert event.args == {
        "ledgerId": LEDGER,
        "previousAnchorer": "0x" + "00" * 20,
        "anchorer": anchorer,
    }

    # the owner may change it; the old anchorer is out from then on
    chain.wait(anchors.set_anchorer(LEDGER, stranger, sender=owner))
    with pytest.raises(NotAnchorer):
        anchors.anchor(LEDGER, 1, root(1), sender=anchorer)
    chain.wait(anchors.anchor(LEDGER, 1, root(1), sender=stranger))


def test_only_the_anchorer_anchors_its_own_ledger(
    chain: Chain, anchors: LedgerAnchorClient, accounts: list[ChecksumAddress]
) -> None:
    owner, anchorer, stranger = accounts[0], accounts[1], accounts[2]
    with_anchorer(chain, anchors, owner, anchorer)
    for who in (owner, stranger):
        with pytest.raises(NotAnchorer) as refused:
            anchors.anchor(LEDGER, 1, root(1), sender=who)
        assert refused.value.revert_args == {"ledgerId": LEDGER, "caller": who}
    # being anchorer of one ledger gives nothing on another
    with pytest.raises(NotAnchorer):
        anchors.anchor(OTHER_LEDGER, 1, root(1), sender=anchorer)
    assert anchors.count(LEDGER) == 0


def test_tree_size_strictly_increases_per_ledger(
    chain: Chain, anchors: LedgerAnchorClient, accounts: list[ChecksumAddress]
) -> None:
    owner, anchorer = accounts[0], accounts[1]
    with_anchorer(chain, anchors, owner, anchorer)
    chain.wait(anchors.set_anchorer(OTHER_LEDGER, anchorer, sender=owner))
    chain.wait(anchors.anchor(LEDGER, 10, root(10), sender=anchorer))
    for smaller_or_equal in (10, 9, 1):
        with pytest.raises(TreeSizeNotIncreasing) as refused:
            anchors.anchor(LEDGER, smaller_or_equal, root(99), sender=anchorer)
        assert refused.value.revert_args == {
            "ledgerId": LEDGER,
            "latestTreeSize": 10,
            "treeSize": smaller_or_equal,
        }
    chain.wait(anchors.anchor(LEDGER, 11, root(11), sender=anchorer))
    # the other ledger has its own counter
    chain.wait(anchors.anchor(OTHER_LEDGER, 3, root(3), sender=anchorer))
    assert anchors.count(LEDGER) == 2
    assert anchors.count(OTHER_LEDGER) == 1


def test_size_zero_is_refused_by_the_contract_itself(
    chain: Chain, anchors: LedgerAnchorClient, accounts: list[ChecksumAddress]
) -> None:
    owner, anchorer = accounts[0], accounts[1]
    with_anchorer(chain, anchors, owner, anchorer)
    call = anchors.contract.functions.anchor(LEDGER, 0, root(0))
    with pytest.raises(TreeSizeNotIncreasing):
        chain.send(call, anchorer)
    with pytest.raises(BadChainInput):  # and the client never sends it
        anchors.anchor(LEDGER, 0, root(0), sender=anchorer)


def test_views_by_index_and_latest(
    chain: Chain, anchors: LedgerAnchorClient, accounts: list[ChecksumAddress]
) -> None:
    owner, anchorer = accounts[0], accounts[1]
    with_anchorer(chain, anchors, owner, anchorer)
    with pytest.raises(NoAnchor):
        anchors.latest(LEDGER)
    with pytest.raises(AnchorNotFound):
        anchors.anchor_at(LEDGER, 0)
    blocks = []
    for size in (1, 5, 1_000_000):
        blocks.append(chain.wait(anchors.anchor(LEDGER, size, root(size), sender=anchorer)))
    assert anchors.count(LEDGER) == 3
    for index, (size, outcome) in enumerate(zip((1, 5, 1_000_000), blocks, strict=True)):
        record = anchors.anchor_at(LEDGER, index)
        assert (record.index, record.tree_size, record.root) == (index, size, root(size))
        assert record.block_number == outcome.block_number
        assert record.timestamp > 0
    assert anchors.latest(LEDGER) == anchors.anchor_at(LEDGER, 2)
    with pytest.raises(AnchorNotFound) as missing:
        anchors.anchor_at(LEDGER, 3)
    assert missing.value.revert_args == {"ledgerId": LEDGER, "index": 3, "count": 3}
    assert missing.value.status == 404


def test_anchored_events_decode_with_their_block(
    chain: Chain, anchors: LedgerAnchorClient, accounts: list[ChecksumAddress]
) -> None:
    owner, anchorer = accounts[0], accounts[1]
    start = chain.head()
    with_anchorer(chain, anchors, owner, anchorer)
    outcome = chain.wait(anchors.anchor(LEDGER, 42, root(42), sender=anchorer))
    [event] = anchors.decode_events(outcome)
    assert event.name == "Anchored"
    assert event.args == {"ledgerId": LEDGER, "index": 0, "treeSize": 42, "root": root(42)}
    assert (event.tx_hash, event.block_number) == (outcome.tx_hash, outcome.block_number)
    assert event.block_hash == chain.block_hash(outcome.block_number)
    names = [e.name for e in anchors.events(from_block=start)]
    assert names == ["OwnershipTransferred", "AnchorerSet", "Anchored"]


def test_ownership_moves_and_the_old_owner_loses_it(
    chain: Chain, anchors: LedgerAnchorClient, accounts: list[ChecksumAddress]
) -> None:
    owner, successor = accounts[0], accounts[3]
    with pytest.raises(ZeroAddress):
        anchors.transfer_ownership("0x" + "00" * 20, sender=owner)
    with pytest.raises(NotOwner):
        anchors.transfer_ownership(successor, sender=successor)
    outcome = chain.wait(anchors.transfer_ownership(successor, sender=owner))
    assert anchors.owner() == successor
    assert [e.name for e in anchors.decode_events(outcome)] == ["OwnershipTransferred"]
    with pytest.raises(NotOwner):
        anchors.set_anchorer(LEDGER, owner, sender=owner)


def test_signed_anchors_in_flight_with_explicit_nonces_land_in_one_block(
    chain: Chain, anchors: LedgerAnchorClient, accounts: list[ChecksumAddress]
) -> None:
    key = Account.create()
    chain.w3.eth.send_transaction({"from": accounts[0], "to": key.address, "value": Wei(10**18)})
    with_anchorer(chain, anchors, accounts[0], key.address)
    nonce = chain.next_nonce(key.address)
    chain.w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]
    try:
        first = anchors.anchor(LEDGER, 7, root(7), sender=key, options=TxOptions(nonce=nonce))
        second = anchors.anchor(
            LEDGER, 8, root(8), sender=key, options=TxOptions(nonce=nonce + 1, gas=120_000)
        )
        assert chain.receipt(first) is None  # in flight
        chain.mine()
    finally:
        chain.w3.provider.make_request("evm_setAutomine", [True])  # type: ignore[arg-type]
    a, b = chain.wait(first), chain.wait(second)
    assert a.block_number == b.block_number
    assert anchors.latest(LEDGER).tree_size == 8


def test_explicit_gas_without_simulation_surfaces_the_revert_after_mining(
    chain: Chain, anchors: LedgerAnchorClient, accounts: list[ChecksumAddress]
) -> None:
    owner, anchorer = accounts[0], accounts[1]
    with_anchorer(chain, anchors, owner, anchorer)
    chain.wait(anchors.anchor(LEDGER, 5, root(5), sender=anchorer))
    tx = anchors.anchor(
        LEDGER, 5, root(5), sender=anchorer, options=TxOptions(gas=150_000, simulate=False)
    )
    with pytest.raises(TreeSizeNotIncreasing):
        chain.wait(tx)


def test_confirmations_wait_for_depth(
    chain: Chain, anchors: LedgerAnchorClient, accounts: list[ChecksumAddress]
) -> None:
    owner, anchorer = accounts[0], accounts[1]
    with_anchorer(chain, anchors, owner, anchorer)
    tx = anchors.anchor(LEDGER, 1, root(1), sender=anchorer)
    assert chain.wait(tx).confirmations == 1
    with pytest.raises(ConfirmationTimeout):
        chain.wait(tx, confirmations=3, timeout=0.2)
    chain.mine(2)
    assert chain.wait(tx, confirmations=3).confirmations == 3


def test_a_dropped_block_is_not_a_receipt(
    chain: Chain, anchors: LedgerAnchorClient, accounts: list[ChecksumAddress]
) -> None:
    owner, anchorer = accounts[0], accounts[1]
    with_anchorer(chain, anchors, owner, anchorer)
    snapshot = chain.w3.provider.make_request("evm_snapshot", [])  # type: ignore[arg-type]
    tx = anchors.anchor(LEDGER, 1, root(1), sender=anchorer)
    assert chain.receipt(tx) is not None
    chain.w3.provider.make_request("evm_revert", [snapshot["result"]])  # type: ignore[arg-type]
    chain.mine(3)
    assert chain.receipt(tx) is None
    assert anchors.count(LEDGER) == 0


def test_a_node_that_is_down_is_chain_unavailable() -> None:
    with pytest.raises(ChainUnavailable):
        Chain.connect(f"http://127.0.0.1:{free_port()}", timeout=1.0).head()
