"""The anchoring service on a real node (anvil): confirm, idempotence, nonces, outages, reorgs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3.types import RPCEndpoint

from ledger.anchoring import Chain, ChainUnavailable, LedgerAnchorClient
from ledger.anchoring.cli_support import fund_from_dev_account
from ledger.anchoring.devnode import free_port
from ledger.anchoring.loop import AnchorLoop
from ledger.anchoring.service import AnchorService
from ledger.anchoring.store import AnchorStatus
from ledger.log import Ledger
from tests.anchoring.conftest import SETTINGS, grow

pytestmark = pytest.mark.chain


def rpc(chain: Chain, method: str, *params: Any) -> Any:
    return chain.w3.manager.request_blocking(RPCEndpoint(method), list(params))


@contextmanager
def automine_off(chain: Chain) -> Iterator[None]:
    rpc(chain, "evm_setAutomine", False)
    try:
        yield
    finally:
        rpc(chain, "evm_setAutomine", True)


def test_anchor_then_confirm(
    ledger: Ledger, chain: Chain, client: LedgerAnchorClient, service: AnchorService
) -> None:
    grow(ledger, 2)
    checkpoint = ledger.checkpoint().checkpoint
    row = service.anchor_latest()
    assert row is not None
    assert (row.status, row.tree_size, row.root_hash) == (
        AnchorStatus.PENDING,
        checkpoint.tree_size,
        checkpoint.root_hash,
    )
    assert row.chain_id == chain.chain_id
    assert row.contract == client.address

    first = service.poll()  # mined (automine) but 1 deep, 3 wanted
    assert first.confirmed == ()
    assert first.pending == 1
    [seen] = service.anchors()
    assert seen.block_number is not None
    assert seen.block_hash == chain.block_hash(seen.block_number)

    chain.mine(2)
    assert service.poll().confirmed == (checkpoint.tree_size,)
    [done] = service.anchors()
    assert done.status is AnchorStatus.CONFIRMED
    assert done.confirmed_at is not None
    on_chain = client.latest(service.ledger_id)
    assert (on_chain.tree_size, on_chain.root) == (checkpoint.tree_size, checkpoint.root_hash)


def test_anchoring_is_idempotent(
    ledger: Ledger, client: LedgerAnchorClient, service: AnchorService
) -> None:
    assert service.anchor_latest() is None  # no checkpoint yet
    ledger.checkpoint()
    assert service.anchor_latest() is not None
    assert service.anchor_latest() is None  # pending at that size
    grow(ledger, 1)  # new entries but no new checkpoint: nothing to anchor
    assert service.anchor_latest() is None
    assert len(service.anchors()) == 1
    assert client.count(service.ledger_id) == 1


def test_two_anchors_in_flight_take_consecutive_nonces(
    ledger: Ledger, chain: Chain, client: LedgerAnchorClient, service: AnchorService
) -> None:
    with automine_off(chain):
        grow(ledger, 1)
        ledger.checkpoint()
        first = service.anchor_latest()
        grow(ledger, 1)
        ledger.checkpoint()
        second = service.anchor_latest()
        assert first is not None
        assert second is not None
        assert second.nonce == first.nonce + 1
        assert service.poll().pending == 2  # neither mined yet: both wait
        chain.mine(3)
    result = service.poll()
    assert sorted(result.confirmed) == [first.tree_size, second.tree_size]
    assert client.count(service.ledger_id) == 2
    assert client.latest(service.ledger_id).tree_size == second.tree_size


def test_a_node_that_is_down_delays_and_loses_nothing(
    ledger: Ledger,
    chain: Chain,
    client: LedgerAnchorClient,
    anchorer: LocalAccount,
    service: AnchorService,
) -> None:
    grow(ledger, 1)
    checkpoint = ledger.checkpoint().checkpoint
    down = Chain.connect(f"http://127.0.0.1:{free_port()}", timeout=1.0)
    offline = AnchorService(
        ledger, down, LedgerAnchorClient(down, client.address), anchorer, SETTINGS
    )
    with pytest.raises(ChainUnavailable):
        offline.anchor_latest()
    assert AnchorLoop(offline, every_entries=1).tick() is None  # logged, not raised
    assert service.anchors() == []
    assert client.count(service.ledger_id) == 0

    row = service.anchor_latest()  # the node is back: the same checkpoint goes out
    assert row is not None
    assert row.tree_size == checkpoint.tree_size
    chain.mine(2)
    assert service.poll().confirmed == (checkpoint.tree_size,)


def test_a_reorg_orphans_the_anchor_and_anchors_again(
    ledger: Ledger, chain: Chain, client: LedgerAnchorClient, service: AnchorService
) -> None:
    grow(ledger, 1)
    checkpoint = ledger.checkpoint().checkpoint
    snapshot = rpc(chain, "evm_snapshot")
    dropped = service.anchor_latest()
    assert dropped is not None
    service.poll()  # records the block it was mined in
    rpc(chain, "evm_revert", snapshot)
    chain.mine(3)  # the other branch grows past the dropped block

    result = service.poll()
    assert result.orphaned == (checkpoint.tree_size,)
    assert result.reanchored == (checkpoint.tree_size,)
    old, new = service.anchors()
    assert old.tx_hash == dropped.tx_hash
    assert old.status is AnchorStatus.ORPHANED
    assert new.status is AnchorStatus.PENDING
    assert new.tx_hash != old.tx_hash
    assert new.tree_size == checkpoint.tree_size
    assert new.nonce == old.nonce

    chain.mine(3)
    assert service.poll().confirmed == (checkpoint.tree_size,)
    assert client.latest(service.ledger_id).root == checkpoint.root_hash


def test_a_reorg_of_a_confirmed_anchor_is_detected(
    ledger: Ledger, chain: Chain, client: LedgerAnchorClient, service: AnchorService
) -> None:
    service.settings = service.settings.model_copy(update={"confirmations": 1})
    grow(ledger, 1)
    ledger.checkpoint()
    snapshot = rpc(chain, "evm_snapshot")
    assert service.anchor_latest() is not None
    assert len(service.poll().confirmed) == 1
    rpc(chain, "evm_revert", snapshot)
    chain.mine(2)
    result = service.poll()
    assert len(result.orphaned) == 1
    assert result.reanchored == result.orphaned
    assert client.count(service.ledger_id) == 1  # the re-anchor, mined by automine


def test_an_anchor_sent_by_a_run_that_crashed_is_adopted(
    ledger: Ledger,
    chain: Chain,
    client: LedgerAnchorClient,
    anchorer: LocalAccount,
    service: AnchorService,
) -> None:
    grow(ledger, 1)
    checkpoint = ledger.checkpoint().checkpoint
    # The transaction went out, then the process died before writing its row.
    tx = client.anchor(
        service.ledger_id, checkpoint.tree_size, checkpoint.root_hash, sender=anchorer
    )
    chain.wait(tx)  # automine answers before eth_getLogs sees the block: adopt a mined one
    assert service.anchors() == []
    assert service.anchor_latest() is None  # nothing sent twice...
    [adopted] = service.anchors()  # ...and the one on chain is now on record
    assert adopted.tx_hash == tx
    assert adopted.tree_size == checkpoint.tree_size
    chain.mine(2)
    assert service.poll().confirmed == (checkpoint.tree_size,)
    assert client.count(service.ledger_id) == 1


def test_a_new_anchorer_counts_its_own_nonces_not_the_old_one_s(
    ledger: Ledger,
    chain: Chain,
    client: LedgerAnchorClient,
    anchorer: LocalAccount,
    service: AnchorService,
) -> None:
    grow(ledger, 1)
    ledger.checkpoint()
    old = service.anchor_latest()  # mined, but still pending on record (1 deep of 3)
    assert old is not None
    assert old.sender == anchorer.address
    assert old.nonce == 2  # the owner deployed the contract (0) and set itself anchorer (1)
    successor: LocalAccount = Account.create()
    fund_from_dev_account(chain, successor.address)
    chain.wait(client.set_anchorer(service.ledger_id, successor.address, sender=anchorer))
    replaced = AnchorService(ledger, chain, client, successor, SETTINGS)
    grow(ledger, 1, tag="q")
    checkpoint = ledger.checkpoint().checkpoint
    row = replaced.anchor_latest()
    assert row is not None
    # Its own first nonce, not one past the old anchorer's pending one (a gap never mined).
    assert (row.sender, row.nonce) == (successor.address, 0)
    chain.wait(row.tx_hash)
    chain.mine(3)
    assert sorted(replaced.poll().confirmed) == [old.tree_size, checkpoint.tree_size]
    assert client.latest(service.ledger_id).tree_size == checkpoint.tree_size
    assert {r.sender for r in replaced.anchors()} == {anchorer.address, successor.address}
