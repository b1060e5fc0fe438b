"""End to end on web3's in-process EVM, as ``make demo`` runs it: no node at all."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from typer.testing import CliRunner

from ledger.anchoring import Chain
from ledger.anchoring.cli import app, deploy_for
from ledger.anchoring.loop import AnchorLoop
from ledger.anchoring.service import AnchorService
from ledger.anchoring.settings import AnchorSettings
from ledger.anchoring.store import MalformedAnchorLine, anchor_from_json
from ledger.anchoring.verify import anchor_lines, verify_anchors, verify_ledger_anchors
from ledger.core.clock import FixedClock
from tests.anchoring.conftest import grow
from tests.ledger.scenario import NOW, open_ledger


def test_background_loop_anchors_and_verifies_in_process(tmp_path: Path) -> None:
    clock = FixedClock(NOW)
    chain = Chain.in_process()
    account: LocalAccount = Account.create()
    settings = AnchorSettings(confirmations=2, every_entries=6, every_seconds=30)
    with open_ledger(f"sqlite:///{tmp_path / 'demo.db'}", clock=clock) as ledger:
        client = deploy_for(chain, ledger, account)
        service = AnchorService(ledger, chain, client, account, settings)
        loop = AnchorLoop(service)

        assert loop.tick() is not None  # 2 entries, 0 seconds: not due
        assert service.anchors() == []
        grow(ledger, 3)  # 8 entries >= 6: due
        loop.tick()
        [first] = service.anchors()
        assert first.tree_size == ledger.size()

        grow(ledger, 1)  # 2 more entries: not due until T seconds pass
        loop.tick()
        assert len(service.anchors()) == 1
        clock.advance(timedelta(seconds=31))
        chain.mine(1)
        loop.tick()  # confirms the first (2 deep) and anchors the second
        rows = service.anchors()
        assert [r.status.value for r in rows] == ["confirmed", "pending"]
        chain.mine(2)
        loop.tick()

        verified = verify_ledger_anchors(ledger, chain, client, confirmations=2)
        assert [v.tree_size for v in verified] == [rows[0].tree_size, rows[1].tree_size]
        with ledger.engines.read.connect() as connection:
            lines = list(anchor_lines(connection))
        assert [line["kind"] for line in lines] == ["anchor", "anchor"]
        assert lines[1]["root_hash"] == ledger.latest_checkpoint().checkpoint.root_hash.hex()
        parsed = [anchor_from_json(json.loads(json.dumps(line))) for line in lines]
        current = service.anchors()
        assert [replace(p, id=c.id) for p, c in zip(parsed, current, strict=True)] == current

        # A bundle checked with only an RPC URL: the contract comes from each line.
        latest = ledger.latest_checkpoint().checkpoint

        def prove(first: int, second: int) -> list[bytes]:
            return [] if first == second else ledger.consistency_proof(first, second).proof

        from_bundle = verify_anchors(
            parsed, {}, (latest.tree_size, latest.root_hash), prove, chain, None, 2
        )
        assert [v.tree_size for v in from_bundle] == [r.tree_size for r in rows]


def test_malformed_anchor_lines_are_one_error() -> None:
    good = {
        "kind": "anchor",
        "ledger_id": "00" * 32,
        "tree_size": 3,
        "root_hash": "11" * 32,
        "chain_id": 1,
        "contract": "0x" + "22" * 20,
        "tx_hash": "33" * 32,
        "nonce": 0,
        "block_number": None,
        "block_hash": None,
        "status": "pending",
        "created_at": NOW.isoformat(),
        "confirmed_at": None,
    }
    assert anchor_from_json(good).to_json() == good
    for mutation in (
        {"kind": "entry"},
        {"root_hash": "11" * 31},
        {"tree_size": "3"},
        {"status": "final"},
        {"created_at": "yesterday"},
        {"block_hash": "zz"},
    ):
        with pytest.raises(MalformedAnchorLine):
            anchor_from_json({**good, **mutation})
    with pytest.raises(MalformedAnchorLine):
        anchor_from_json({k: v for k, v in good.items() if k != "nonce"})


def test_anchor_command_deploys_and_waits_in_process(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    with open_ledger(db) as ledger:
        ledger.checkpoint()
    key_file = tmp_path / "anchor.key"
    account: LocalAccount = Account.create()
    key_file.write_text(account.key.hex())
    result = CliRunner().invoke(
        app, ["--db", db, "--key-file", str(key_file), "--deploy", "--wait"]
    )
    assert result.exit_code == 0, result.output
    assert account.key.hex() not in result.output
    report = json.loads(result.output)
    assert report["sent"] == 2
    assert [a["status"] for a in report["anchors"]] == ["confirmed"]


def test_anchor_command_without_a_key_fails_cleanly(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    with open_ledger(db) as ledger:
        ledger.checkpoint()
    result = CliRunner().invoke(app, ["--db", db, "--deploy"], env={})
    assert result.exit_code == 1
    assert "anchor_key_missing" in result.output


def test_the_demo_anchors_in_process_and_verifies_on_chain(tmp_path: Path) -> None:
    from finance_api.commands.service import _anchor_in_process

    with open_ledger(f"sqlite:///{tmp_path / 'demo.db'}") as ledger:
        grow(ledger, 2)
        size = ledger.checkpoint().checkpoint.tree_size
        summary = _anchor_in_process(ledger)
        with ledger.reading() as connection:
            [line] = anchor_lines(connection)
    assert summary.startswith(f"size {size} in block ")
    assert summary.endswith("verified on chain")
    assert line["status"] == "confirmed"
