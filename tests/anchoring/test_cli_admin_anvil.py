"""``threeflow anchor``'s options and subcommands on anvil: waits that end, who anchors."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from typer.testing import CliRunner, Result

from finance_api.cli import app as threeflow
from ledger.anchoring import Chain, LedgerAnchorClient
from ledger.anchoring.store import ledger_id_for
from ledger.log import Ledger
from tests.anchoring.conftest import grow
from tests.anchoring.test_cli_errors import refusal

pytestmark = pytest.mark.chain
runner = CliRunner()


def run(*args: str) -> Result:
    result = runner.invoke(threeflow, ["anchor", *args])
    assert "Traceback" not in result.output
    return result


def key_file(tmp_path: Path, account: LocalAccount, name: str) -> str:
    path = tmp_path / f"{name}.key"
    path.write_text(account.key.hex())
    return str(path)


def test_a_wait_on_a_node_that_mines_on_demand_ends_at_the_timeout(
    tmp_path: Path,
    ledger: Ledger,
    chain: Chain,
    anvil_url: str,
    client: LedgerAnchorClient,
    anchorer: LocalAccount,
) -> None:
    grow(ledger, 1)
    size = ledger.checkpoint().checkpoint.tree_size
    url = str(ledger.engines.url)
    args = ["--db", url, "--rpc-url", anvil_url, "--contract", client.address]
    args += ["--key-file", key_file(tmp_path, anchorer, "anchorer")]
    started = time.monotonic()
    waited = run(*args, "--wait", "--confirmations", "3", "--timeout", "1")
    assert time.monotonic() - started < 15  # never the old hard-coded 120 s
    body = refusal(waited, 1)
    assert body["error"] == "confirmation_timeout"
    assert "mines only on demand" in body["detail"]
    assert "recorded as pending" in body["detail"]
    report = json.loads(waited.output.splitlines()[0])  # the report comes first
    assert [(a["tree_size"], a["status"]) for a in report["anchors"]] == [(size, "pending")]

    chain.mine(2)  # now 3 deep
    later = run(*args, "--confirmations", "3")
    assert later.exit_code == 0, later.output
    assert [a["status"] for a in json.loads(later.output)["anchors"]] == ["confirmed"]


def test_info_prints_the_ledger_id_and_the_anchorer(
    tmp_path: Path,
    ledger: Ledger,
    anvil_url: str,
    client: LedgerAnchorClient,
    anchorer: LocalAccount,
) -> None:
    url = str(ledger.engines.url)
    offline = run("info", "--db", url)
    assert offline.exit_code == 0, offline.output
    assert json.loads(offline.output)["ledger_id"] == "0x" + ledger_id_for(ledger.origin).hex()

    key = key_file(tmp_path, anchorer, "anchorer")
    args = ["info", "--db", url, "--rpc-url", anvil_url, "--contract", client.address]
    shown = run(*args, "--key-file", key)
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.output)
    assert report["ledger_id"] == "0x" + ledger_id_for(ledger.origin).hex()
    assert report["anchorer"] == anchorer.address
    assert report["anchorer_is_key"] is True
    assert report["owner"] == anchorer.address
    assert (report["anchors_on_chain"], report["latest_on_chain"]) == (0, None)
    assert anchorer.key.hex() not in shown.output

    nowhere = run(*args[:-1], "0x" + "11" * 20)
    assert "no contract at" in refusal(nowhere, 1)["detail"]


def test_the_owner_sets_the_anchorer_on_an_existing_contract_and_no_one_else(
    tmp_path: Path,
    ledger: Ledger,
    chain: Chain,
    anvil_url: str,
    client: LedgerAnchorClient,
    anchorer: LocalAccount,
) -> None:
    owner_key = key_file(tmp_path, anchorer, "owner")  # deploy_for: the anchorer owns it
    successor: LocalAccount = Account.create()
    successor_key = key_file(tmp_path, successor, "successor")
    url = str(ledger.engines.url)
    where = ["--db", url, "--rpc-url", anvil_url, "--contract", client.address]

    refused = run(
        "set-anchorer", *where, "--owner-key-file", successor_key, "--anchorer", successor.address
    )
    body = refusal(refused, 1)
    assert "NotOwner" in body["detail"]
    assert "owner" in body["detail"].split(":", 1)[1]  # what the refusal means, spelled out
    assert client.anchorer_of(ledger_id_for(ledger.origin)) == anchorer.address

    moved = run(
        "set-anchorer", *where, "--owner-key-file", owner_key, "--anchorer", successor.address
    )
    assert moved.exit_code == 0, moved.output
    report = json.loads(moved.output)
    assert (report["previous_anchorer"], report["anchorer"]) == (
        anchorer.address,
        successor.address,
    )
    assert client.anchorer_of(ledger_id_for(ledger.origin)) == successor.address

    chain.w3.eth.send_transaction(
        {"from": chain.dev_accounts()[0], "to": successor.address, "value": 10**18}
    )
    grow(ledger, 1)
    size = ledger.checkpoint().checkpoint.tree_size
    anchored = run(*where, "--key-file", successor_key, "--wait", "--confirmations", "1")
    assert anchored.exit_code == 0, anchored.output
    assert json.loads(anchored.output)["sent"] == size
    grow(ledger, 1)
    ledger.checkpoint()
    stale = run(*where, "--key-file", owner_key)  # the old anchorer: refused, and said why
    assert "NotAnchorer" in refusal(stale, 1)["detail"]


def test_deploy_on_any_chain_then_set_the_anchorer_then_anchor(
    tmp_path: Path, ledger: Ledger, chain: Chain, anvil_url: str
) -> None:
    """The move to v2 by commands alone: deploy, choose the anchorer, anchor there."""
    owner: LocalAccount = Account.create()
    owner_key = key_file(tmp_path, owner, "owner")
    broke = run("deploy", "--rpc-url", anvil_url, "--owner-key-file", owner_key)
    assert "funds" in refusal(broke, 1)["detail"]  # an unfunded owner: refused, said why
    chain.w3.eth.send_transaction(
        {"from": chain.dev_accounts()[0], "to": owner.address, "value": 10**18}
    )
    for version in (1, 2):
        made = run(
            "deploy", "--rpc-url", anvil_url, "--owner-key-file", owner_key,
            "--contract-version", str(version),
        )  # fmt: skip
        assert made.exit_code == 0, made.output
        report = json.loads(made.output)
        assert (report["version"], report["owner"]) == (version, owner.address)
    contract = report["contract"]  # the v2 one
    url = str(ledger.engines.url)
    where = ["--db", url, "--rpc-url", anvil_url, "--contract", contract]
    chosen = run("set-anchorer", *where, "--owner-key-file", owner_key, "--key-file", owner_key)
    assert chosen.exit_code == 0, chosen.output
    grow(ledger, 1)
    size = ledger.checkpoint().checkpoint.tree_size
    anchored = run(*where, "--key-file", owner_key, "--wait", "--confirmations", "1")
    assert anchored.exit_code == 0, anchored.output
    assert json.loads(anchored.output)["sent"] == size
    shown = json.loads(run("info", *where).output)
    assert (shown["anchors_on_chain"], shown["latest_on_chain"]["tree_size"]) == (1, size)
