"""``threeflow anchor`` fails with a message and an exit code, never with a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from typer.testing import CliRunner, Result

from finance_api.cli import app as threeflow
from ledger.anchoring import ChainUnavailable
from ledger.anchoring.devnode import AnvilNode
from tests.chain.conftest import unavailable
from tests.ledger.scenario import open_ledger

runner = CliRunner()


def anchor(*args: str, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(threeflow, ["anchor", *args], env=env)


def refusal(result: Result, code: int) -> dict[str, str]:
    """The JSON refusal of a run that failed cleanly (exit ``code``, no stray exception)."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    body: dict[str, str] = json.loads(result.output.strip().splitlines()[-1])
    return body


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    account: LocalAccount = Account.create()
    path = tmp_path / "anchor.key"
    path.write_text(account.key.hex())
    return path


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    with open_ledger(url) as ledger:
        ledger.checkpoint()
    return url


def test_invalid_settings_are_bad_usage_and_show_no_value(db: str, key_file: Path) -> None:
    secret = "0x" + "5e" * 32
    env = {"THREEFLOW_ANCHOR_CONFIRMATIONS": "0", "THREEFLOW_ANCHOR_PRIVATE_KEY": secret}
    body = refusal(anchor("--db", db, "--key-file", str(key_file), env=env), 2)
    assert body["error"] == "invalid_settings"
    assert "confirmations" in body["detail"]
    assert secret.removeprefix("0x") not in json.dumps(body)


def test_a_database_that_is_not_one_is_a_database_error(tmp_path: Path, key_file: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a SQLite database, not at all" * 100)
    body = refusal(anchor("--db", f"sqlite:///{garbage}", "--key-file", str(key_file)), 1)
    assert body["error"] == "database_error"


def test_a_malformed_contract_address_is_a_chain_error(db: str, key_file: Path) -> None:
    body = refusal(anchor("--db", db, "--key-file", str(key_file), "--contract", "0x1234"), 1)
    assert body["error"] == "bad_chain_input"


@pytest.mark.chain
def test_deploy_on_a_node_that_unlocks_no_account_is_a_chain_error(db: str, key_file: Path) -> None:
    node = AnvilNode(args=("--accounts", "0"))
    try:
        url = node.start()
    except ChainUnavailable as exc:
        unavailable(f"{exc}; run `make contracts` (npm ci in contracts/)")
        raise
    try:
        body = refusal(
            anchor("--db", db, "--key-file", str(key_file), "--rpc-url", url, "--deploy"), 1
        )
    finally:
        node.stop()
    assert body["error"] == "chain_error"
    assert "development nodes" in body["detail"]
