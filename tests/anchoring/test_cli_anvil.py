"""``threeflow anchor`` against a running node and an existing contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from typer.testing import CliRunner

from ledger.anchoring import LedgerAnchorClient
from ledger.anchoring.cli import app
from ledger.anchoring.devnode import free_port
from ledger.log import Ledger
from tests.anchoring.conftest import grow

pytestmark = pytest.mark.chain


def test_anchor_command_on_anvil(
    tmp_path: Path,
    ledger: Ledger,
    anvil_url: str,
    client: LedgerAnchorClient,
    anchorer: LocalAccount,
) -> None:
    grow(ledger, 1)
    size = ledger.checkpoint().checkpoint.tree_size
    key_file = tmp_path / "anchor.key"
    key_file.write_text(anchorer.key.hex())
    args = ["--db", ledger.engines.url, "--rpc-url", anvil_url, "--contract", client.address]
    args += ["--key-file", str(key_file), "--wait"]
    env = {"THREEFLOW_ANCHOR_CONFIRMATIONS": "1"}

    first = CliRunner().invoke(app, args, env=env)
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["sent"] == size
    again = CliRunner().invoke(app, args, env=env)  # nothing new: idempotent
    assert again.exit_code == 0, again.output
    report = json.loads(again.output)
    assert report["sent"] is None
    assert [a["status"] for a in report["anchors"]] == ["confirmed"]
    assert client.latest(client_ledger_id(report)).tree_size == size

    down = CliRunner().invoke(
        app, [*args[:3], f"http://127.0.0.1:{free_port()}", *args[4:]], env=env
    )
    assert down.exit_code == 1
    assert "chain_unavailable" in down.output


def client_ledger_id(report: dict[str, list[dict[str, str]]]) -> bytes:
    return bytes.fromhex(report["anchors"][0]["ledger_id"])
