"""Anchors in flight when one of them is lost: later ones must not wait for good.

Two anchors in flight take consecutive nonces. When the node lets the first go (a
reorganisation, an evicted pool entry) the second cannot be mined until that nonce is used
again, so the first checkpoint must be re-sent at its own nonce even though a later one is
already on its way. And a dropped anchor that lands after all while a later checkpoint is
in flight is held by the contract: its row must be tracked again, not left orphaned.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from ledger.anchoring import Chain
from ledger.anchoring.anchor_v2_client import LedgerAnchorV2Client
from ledger.anchoring.cli import deploy_for
from ledger.anchoring.service import AnchorService
from ledger.anchoring.store import AnchorStatus, ledger_id_for
from ledger.anchoring.verify import verify_ledger_anchors
from tests.anchoring.anvil_tools import automine_off, raw_transaction, rpc
from tests.anchoring.conftest import SETTINGS, grow, new_ledger
from tests.ledger.scenario import open_ledger

pytestmark = pytest.mark.chain


def drop(chain: Chain, tx_hash: bytes) -> None:
    rpc(chain, "anvil_dropTransaction", "0x" + tx_hash.hex())


def test_a_lost_anchor_is_sent_again_at_its_nonce_so_the_next_one_lands(
    ledger_url: str, floor_chain: Chain
) -> None:
    chain = floor_chain
    anchorer: LocalAccount = Account.create()
    with open_ledger(ledger_url) as ledger:
        client = deploy_for(chain, ledger, anchorer)
        service = AnchorService(ledger, chain, client, anchorer, SETTINGS)
        with automine_off(chain):
            grow(ledger, 1)
            first = ledger.checkpoint().checkpoint.tree_size
            lost = service.anchor_latest()
            grow(ledger, 1)
            second = ledger.checkpoint().checkpoint.tree_size
            waiting = service.anchor_latest()
            assert lost is not None
            assert waiting is not None
            assert waiting.nonce == lost.nonce + 1
            raw = raw_transaction(chain, waiting.tx_hash)
            drop(chain, lost.tx_hash)  # anvil lets both go; a peer hands the second back:
            rpc(chain, "eth_sendRawTransaction", raw)  # it waits in the pool for the nonce

            result = service.poll()
            assert (result.orphaned, result.reanchored) == ((first,), (first,))
            resent = service.anchors()[-1]
            assert (resent.tree_size, resent.nonce) == (first, lost.nonce)
            assert resent.tx_hash != lost.tx_hash
            chain.mine(1)
        chain.mine(3)
        assert set(service.poll().confirmed) == {first, second}
        assert client.latest(service.ledger_id).tree_size == second
        assert client.count(service.ledger_id) == 2
        verified = verify_ledger_anchors(ledger, chain, client, SETTINGS.confirmations)
        assert sorted(v.tree_size for v in verified) == [first, second]


def test_a_dropped_anchor_that_lands_beside_a_later_one_is_tracked_again(
    ledger_url: str, floor_chain: Chain
) -> None:
    chain = floor_chain
    anchorer: LocalAccount = Account.create()
    with open_ledger(ledger_url) as ledger:
        client = deploy_for(chain, ledger, anchorer)
        service = AnchorService(ledger, chain, client, anchorer, SETTINGS)
        grow(ledger, 1)
        first = ledger.checkpoint().checkpoint.tree_size
        snapshot = rpc(chain, "evm_snapshot")
        dropped = service.anchor_latest()
        assert dropped is not None
        service.poll()  # records its block
        raw = raw_transaction(chain, dropped.tx_hash)
        rpc(chain, "evm_revert", snapshot)  # the reorganisation drops it
        with automine_off(chain):
            assert service.poll().reanchored == (first,)
            resent = service.anchors()[-1]
            drop(chain, resent.tx_hash)  # the re-send is lost...
            grow(ledger, 1)
            second = ledger.checkpoint().checkpoint.tree_size
            later = service.anchor_latest()  # ...while a later checkpoint goes out
            assert later is not None
            rpc(chain, "eth_sendRawTransaction", raw)  # and the dropped one lands after all
            chain.mine(1)
        assert client.count(service.ledger_id) == 2  # the contract holds both checkpoints
        service.poll()
        chain.mine(3)
        service.poll()
        statuses = {a.tx_hash: a.status for a in service.anchors()}
        assert statuses == {
            dropped.tx_hash: AnchorStatus.CONFIRMED,
            resent.tx_hash: AnchorStatus.ORPHANED,
            later.tx_hash: AnchorStatus.CONFIRMED,
        }
        verified = verify_ledger_anchors(ledger, chain, client, SETTINGS.confirmations)
        assert sorted(v.tree_size for v in verified) == [first, second]


def test_a_node_signed_reanchor_at_the_fee_floor_tracks_its_own_row_again(
    tmp_path: Path, floor_chain: Chain
) -> None:
    """The node signs the re-send: the very transaction on record, tracked again by its row."""
    chain = floor_chain
    owner = chain.dev_accounts()[3]  # unlocked by the node: it signs, deterministically
    with new_ledger(tmp_path / "ledger.db") as ledger:
        client = LedgerAnchorV2Client.deploy(chain, sender=owner)
        chain.wait(client.set_anchorer(ledger_id_for(ledger.origin), owner, sender=owner))
        service = AnchorService(ledger, chain, client, owner, SETTINGS)
        grow(ledger, 1)
        size = ledger.checkpoint().checkpoint.tree_size
        snapshot = rpc(chain, "evm_snapshot")
        dropped = service.anchor_latest()
        assert dropped is not None
        service.poll()
        rpc(chain, "evm_revert", snapshot)
        result = service.poll()
        assert (result.orphaned, result.reanchored) == ((size,), (size,))
        [again] = service.anchors()  # the same hash: its own row again, not a second insert
        assert (again.tx_hash, again.status) == (dropped.tx_hash, AnchorStatus.PENDING)
        chain.mine(3)
        assert service.poll().confirmed == (size,)
        [verified] = verify_ledger_anchors(ledger, chain, client, SETTINGS.confirmations)
        assert verified.tree_size == size
