"""Re-anchoring after a reorganisation when fees have not moved (the Traceability issue).

With the base fee at its floor, the re-anchor of a dropped checkpoint has the same nonce,
fees and data as the dropped transaction: signed, it is the very same transaction. It must
still land, be tracked, confirm and verify, through the service and through
``threeflow anchor``. These tests run on a node of their own (``floor_url``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from typer.testing import CliRunner

from finance_api.cli import app as threeflow
from ledger.anchoring import Chain
from ledger.anchoring.cli import deploy_for
from ledger.anchoring.service import AnchorService
from ledger.anchoring.store import AnchorStatus
from ledger.anchoring.verify import verify_ledger_anchors
from tests.anchoring.anvil_tools import automine_off, base_fee, raw_transaction, rpc
from tests.anchoring.conftest import SETTINGS, grow, new_ledger
from tests.ledger.scenario import open_ledger

pytestmark = pytest.mark.chain
runner = CliRunner()


@pytest.mark.parametrize("version", [1, 2])
def test_a_reanchor_after_a_reorg_at_the_fee_floor_lands_and_verifies(
    ledger_url: str, floor_chain: Chain, floor_url: str, version: int
) -> None:
    """On SQLite and PostgreSQL, either contract: the re-anchor has a row of its own."""
    chain = floor_chain
    anchorer: LocalAccount = Account.create()
    with open_ledger(ledger_url) as ledger:
        client = deploy_for(chain, ledger, anchorer, version=version)
        service = AnchorService(ledger, chain, client, anchorer, SETTINGS)
        grow(ledger, 2)
        checkpoint = ledger.checkpoint().checkpoint
        fee = base_fee(chain)
        snapshot = rpc(chain, "evm_snapshot")
        dropped = service.anchor_latest()
        assert dropped is not None
        service.poll()  # records the block it was mined in
        rpc(chain, "evm_revert", snapshot)  # the reorganisation drops that block
        chain.mine(3)
        assert base_fee(chain) == fee  # fees have not moved

        result = service.poll()
        assert result.orphaned == (checkpoint.tree_size,)
        assert result.reanchored == (checkpoint.tree_size,)
        old, new = service.anchors()
        assert (old.status, old.tx_hash) == (AnchorStatus.ORPHANED, dropped.tx_hash)
        assert new.status is AnchorStatus.PENDING
        assert new.nonce == old.nonce  # the dropped nonce is free again
        assert new.tx_hash != old.tx_hash  # a fresh fee, so a transaction of its own

        chain.mine(3)
        assert service.poll().confirmed == (checkpoint.tree_size,)
        on_chain = client.latest(service.ledger_id)
        assert (on_chain.tree_size, on_chain.root) == (checkpoint.tree_size, checkpoint.root_hash)
        [verified] = verify_ledger_anchors(ledger, chain, client, SETTINGS.confirmations)
        assert verified.tree_size == checkpoint.tree_size
        url = str(ledger.engines.url)

    checked = runner.invoke(
        threeflow, ["verify", "--db", url, "--rpc-url", floor_url, "--contract", client.address]
    )
    assert checked.exit_code == 0, checked.output
    assert f"the last at size {checkpoint.tree_size}" in checked.output


def test_the_anchor_command_reanchors_after_a_reorg_at_the_fee_floor(
    tmp_path: Path, floor_chain: Chain, floor_url: str
) -> None:
    chain = floor_chain
    anchorer: LocalAccount = Account.create()
    key_file = tmp_path / "anchor.key"
    key_file.write_text(anchorer.key.hex())
    with new_ledger(tmp_path / "ledger.db") as ledger:
        client = deploy_for(chain, ledger, anchorer)
        grow(ledger, 1)
        size = ledger.checkpoint().checkpoint.tree_size
        url = str(ledger.engines.url)
    args = ["anchor", "--db", url, "--rpc-url", floor_url, "--contract", client.address]
    args += ["--key-file", str(key_file), "--wait"]
    env = {"THREEFLOW_ANCHOR_CONFIRMATIONS": "1"}

    snapshot = rpc(chain, "evm_snapshot")
    first = runner.invoke(threeflow, args, env=env)
    assert first.exit_code == 0, first.output
    assert [a["status"] for a in json.loads(first.output)["anchors"]] == ["confirmed"]
    rpc(chain, "evm_revert", snapshot)  # the confirmed anchor's block is dropped
    chain.mine(3)

    again = runner.invoke(threeflow, args, env=env)
    assert again.exception is None or isinstance(again.exception, SystemExit), again.exception
    assert again.exit_code == 0, again.output
    report = json.loads(again.output)
    assert (report["sent"], report["reanchored"]) == (size, [size])
    assert [a["status"] for a in report["anchors"]] == ["orphaned", "confirmed"]
    assert client.latest(bytes.fromhex(report["anchors"][1]["ledger_id"])).tree_size == size


def test_a_dropped_anchor_back_in_the_pool_is_waited_for_not_sent_twice(
    tmp_path: Path, floor_chain: Chain
) -> None:
    chain = floor_chain
    anchorer: LocalAccount = Account.create()
    with new_ledger(tmp_path / "ledger.db") as ledger:
        client = deploy_for(chain, ledger, anchorer)
        service = AnchorService(ledger, chain, client, anchorer, SETTINGS)
        grow(ledger, 1)
        size = ledger.checkpoint().checkpoint.tree_size
        snapshot = rpc(chain, "evm_snapshot")
        sent = service.anchor_latest()
        assert sent is not None
        service.poll()  # records the block it was mined in
        raw = raw_transaction(chain, sent.tx_hash)
        rpc(chain, "evm_revert", snapshot)
        with automine_off(chain):
            rpc(chain, "eth_sendRawTransaction", raw)  # the node takes it back into its pool
            result = service.poll()
            assert (result.orphaned, result.reanchored, result.pending) == ((), (), 1)
            [waiting] = service.anchors()
            assert (waiting.tx_hash, waiting.status) == (sent.tx_hash, AnchorStatus.PENDING)
            assert waiting.block_hash is None
            chain.mine(3)
        assert service.poll().confirmed == (size,)
        [done] = service.anchors()
        assert (done.tx_hash, done.status) == (sent.tx_hash, AnchorStatus.CONFIRMED)
        assert client.count(service.ledger_id) == 1


def test_an_orphaned_anchor_that_lands_after_all_is_tracked_again(
    tmp_path: Path, floor_chain: Chain
) -> None:
    chain = floor_chain
    anchorer: LocalAccount = Account.create()
    with new_ledger(tmp_path / "ledger.db") as ledger:
        client = deploy_for(chain, ledger, anchorer)
        service = AnchorService(ledger, chain, client, anchorer, SETTINGS)
        grow(ledger, 1)
        size = ledger.checkpoint().checkpoint.tree_size
        snapshot = rpc(chain, "evm_snapshot")
        first = service.anchor_latest()
        assert first is not None
        service.poll()
        raw = raw_transaction(chain, first.tx_hash)
        rpc(chain, "evm_revert", snapshot)
        with automine_off(chain):
            result = service.poll()  # gone from the node: orphaned, anchored again
            assert (result.orphaned, result.reanchored) == ((size,), (size,))
            _, second = service.anchors()
            rpc(chain, "anvil_dropTransaction", "0x" + second.tx_hash.hex())  # that one is lost
            rpc(chain, "eth_sendRawTransaction", raw)  # and the first lands after all
            chain.mine(1)
        assert client.latest(service.ledger_id).tree_size == size
        result = service.poll()  # the second is orphaned; the contract holds the first
        assert (result.orphaned, result.reanchored, result.pending) == ((size,), (), 1)
        chain.mine(3)
        assert service.poll().confirmed == (size,)
        statuses = [(a.tx_hash, a.status) for a in service.anchors()]
        assert statuses == [
            (first.tx_hash, AnchorStatus.CONFIRMED),
            (second.tx_hash, AnchorStatus.ORPHANED),
        ]
        [verified] = verify_ledger_anchors(ledger, chain, client, SETTINGS.confirmations)
        assert verified.tree_size == size
