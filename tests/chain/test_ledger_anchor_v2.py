"""LedgerAnchorV2 on anvil: v1's rules, a commitment that binds the events, flat gas.

The contract stores one running commitment per ledger and emits each anchor as an event;
its client re-chains the events against that commitment. So a node that withholds, alters
or invents an event is caught, and an anchor costs under 33,000 gas whatever the size.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

import pytest
from eth_typing import ChecksumAddress
from web3.exceptions import Web3RPCError

from ledger.anchoring import Chain, CouldNotCheck, LedgerAnchorClient
from ledger.anchoring.anchor_v2_client import (
    AnchorEventsMismatch,
    LedgerAnchorV2Client,
    chained,
    genesis,
)
from ledger.anchoring.anchor_versions import open_anchor_client
from ledger.anchoring.contract import ContractEvent
from ledger.anchoring.errors import (
    NotAnchorer,
    NotOwner,
    TransactionRejected,
    TreeSizeNotIncreasing,
    ZeroAddress,
)

pytestmark = pytest.mark.chain

LEDGER = hashlib.sha256(b"ledger:v2").digest()
OTHER = hashlib.sha256(b"ledger:v2 other").digest()
GAS_TARGET = 33_000


def root(n: int) -> bytes:
    return hashlib.sha256(f"root {n}".encode()).digest()


@pytest.fixture
def v2(chain: Chain, accounts: list[ChecksumAddress]) -> LedgerAnchorV2Client:
    client = LedgerAnchorV2Client.deploy(chain, sender=accounts[0])
    chain.wait(client.set_anchorer(LEDGER, accounts[1], sender=accounts[0]))
    return client


def test_v1_rules_hold_owner_anchorer_and_growing_sizes(
    chain: Chain, v2: LedgerAnchorV2Client, accounts: list[ChecksumAddress]
) -> None:
    owner, anchorer, stranger = accounts[0], accounts[1], accounts[2]
    with pytest.raises(NotOwner):
        v2.set_anchorer(LEDGER, stranger, sender=stranger)
    with pytest.raises(NotAnchorer):
        v2.anchor(LEDGER, 1, root(1), sender=stranger)
    with pytest.raises(NotAnchorer):  # an anchorer of one ledger only
        v2.anchor(OTHER, 1, root(1), sender=anchorer)
    with pytest.raises(TreeSizeNotIncreasing):
        chain.send(v2.contract.functions.anchor(LEDGER, 0, root(0)), anchorer)
    chain.wait(v2.anchor(LEDGER, 10, root(10), sender=anchorer))
    for size in (9, 10):
        with pytest.raises(TreeSizeNotIncreasing):
            v2.anchor(LEDGER, size, root(size), sender=anchorer)
    with pytest.raises(ZeroAddress):
        v2.transfer_ownership("0x" + "00" * 20, sender=owner)
    chain.wait(v2.transfer_ownership(stranger, sender=owner))
    with pytest.raises(NotOwner):
        v2.set_anchorer(LEDGER, owner, sender=owner)
    assert v2.owner() == stranger


def test_the_commitment_chains_every_anchor_and_records_re_chain_to_it(
    chain: Chain, v2: LedgerAnchorV2Client, accounts: list[ChecksumAddress]
) -> None:
    anchorer = accounts[1]
    assert v2.head(LEDGER) == (0, genesis(LEDGER))
    assert v2.records(LEDGER) == []
    expected = genesis(LEDGER)
    for size in (3, 7, 100):
        chain.wait(v2.anchor(LEDGER, size, root(size), sender=anchorer))
        expected = chained(expected, size, root(size))
        chain.mine(2)  # anchors spread over blocks, read in chunks below
    assert v2.head(LEDGER) == (100, expected)
    records = v2.records(LEDGER)
    assert [(r.index, r.tree_size, r.root) for r in records] == [
        (0, 3, root(3)),
        (1, 7, root(7)),
        (2, 100, root(100)),
    ]
    assert v2.latest_size(LEDGER) == 100
    assert (v2.count(LEDGER), v2.latest(LEDGER).tree_size) == (3, 100)
    assert records[0].block_number < records[1].block_number < records[2].block_number


def test_records_are_read_in_chunks_of_blocks(
    chain: Chain,
    v2: LedgerAnchorV2Client,
    accounts: list[ChecksumAddress],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for size in (1, 2, 3):
        chain.wait(v2.anchor(LEDGER, size, root(size), sender=accounts[1]))
        chain.mine(3)
    monkeypatch.setattr("ledger.anchoring.anchor_v2_client.LOG_CHUNK_BLOCKS", 2)
    assert [r.tree_size for r in v2.records(LEDGER)] == [1, 2, 3]


def test_spans_grow_on_a_permissive_node_and_shrink_on_a_strict_one(
    chain: Chain,
    v2: LedgerAnchorV2Client,
    accounts: list[ChecksumAddress],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for size in (1, 2, 3, 4):
        chain.wait(v2.anchor(LEDGER, size, root(size), sender=accounts[1]))
        chain.mine(10)
    monkeypatch.setattr("ledger.anchoring.anchor_v2_client.LOG_CHUNK_BLOCKS", 2)
    honest = chain.w3.eth.get_logs
    spans: list[int] = []
    widest = {"blocks": 10**9}

    def node(params: Any) -> Any:
        blocks = int(params["toBlock"]) - int(params["fromBlock"]) + 1
        spans.append(blocks)
        if blocks > widest["blocks"]:
            raise Web3RPCError("query exceeds max block range")
        return honest(params)

    monkeypatch.setattr(chain.w3.eth, "get_logs", node)
    blocks = chain.head() - v2.deployed_at + 1
    assert [r.tree_size for r in v2.records(LEDGER)] == [1, 2, 3, 4]
    assert len(spans) < blocks // 4  # spans doubled: far fewer requests than 2-block chunks
    spans.clear()
    widest["blocks"] = 3  # a strict node: wider requests refused, narrower ones answered
    assert [r.tree_size for r in v2.records(LEDGER)] == [1, 2, 3, 4]
    assert max(s for s in spans if s <= 3) <= 3
    assert sum(s for s in spans if s <= 3) == blocks  # every block read once, none skipped
    widest["blocks"] = 0  # a node that refuses even one block: the refusal is raised
    with pytest.raises(TransactionRejected):
        v2.records(LEDGER)


@pytest.mark.parametrize("lie", ["withheld", "altered", "invented", "reordered"])
def test_a_node_that_withholds_alters_or_invents_an_event_is_caught(
    chain: Chain,
    v2: LedgerAnchorV2Client,
    accounts: list[ChecksumAddress],
    monkeypatch: pytest.MonkeyPatch,
    lie: str,
) -> None:
    for size in (5, 6, 7):
        chain.wait(v2.anchor(LEDGER, size, root(size), sender=accounts[1]))
    honest = v2._anchored

    def lying(ledger_id: bytes, to_block: int) -> list[ContractEvent]:
        events = honest(ledger_id, to_block)
        if lie == "withheld":
            return events[:1] + events[2:]
        if lie == "altered":
            return [*events[:2], replace(events[2], args={**events[2].args, "root": root(0)})]
        if lie == "invented":
            return [*events, replace(events[2], args={**events[2].args, "treeSize": 8})]
        return [events[1], events[0], events[2]]

    monkeypatch.setattr(v2, "_anchored", lying)
    with pytest.raises(AnchorEventsMismatch, match="do not re-chain"):
        v2.records(LEDGER)


def test_gas_per_anchor_is_under_target_and_flat_in_the_ledger_size(
    chain: Chain, v2: LedgerAnchorV2Client, accounts: list[ChecksumAddress]
) -> None:
    gas = []
    for size in (1, 10, 1_000, 1_000_000, 2**63):
        outcome = chain.wait(v2.anchor(LEDGER, size, root(size), sender=accounts[1]))
        gas.append(outcome.gas_used)
    assert max(gas) <= GAS_TARGET, gas
    assert max(gas) - min(gas) <= 200, gas  # only calldata bytes differ: the first included


def test_the_version_is_told_from_the_address(
    chain: Chain, v2: LedgerAnchorV2Client, anchors: LedgerAnchorClient
) -> None:
    assert isinstance(open_anchor_client(chain, v2.address), LedgerAnchorV2Client)
    assert type(open_anchor_client(chain, anchors.address)) is LedgerAnchorClient
    with pytest.raises(CouldNotCheck, match="no contract at"):
        open_anchor_client(chain, "0x" + "22" * 20)
