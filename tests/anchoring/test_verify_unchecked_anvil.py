"""``verify --rpc-url`` tells "invalid" (exit 1) from "could not check" (exit 2).

A node that is down decides nothing; neither does a ledger that names no contract when
the auditor gave none. Both used to end like a tampered ledger, or worse, with a
reassuring exit 0 for a forged database whose anchor rows were deleted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from finance_api.cli import app
from ledger.anchoring import Chain, LedgerAnchorClient
from ledger.anchoring.devnode import free_port
from ledger.anchoring.service import AnchorService
from ledger.audit.export import export_bundle
from ledger.log import Ledger
from tests.anchoring.conftest import grow, new_ledger
from tests.anchoring.test_verify_anvil import anchored

pytestmark = pytest.mark.chain
runner = CliRunner()


@pytest.fixture(autouse=True)
def no_configured_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THREEFLOW_ANCHOR_CONTRACT", raising=False)


def verify(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["verify", *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_a_node_that_is_down_is_not_checked_rather_than_invalid(
    ledger: Ledger, chain: Chain, client: LedgerAnchorClient, service: AnchorService
) -> None:
    anchored(ledger, chain, service)
    down = f"http://127.0.0.1:{free_port()}"
    code, out = verify(
        "--db", str(ledger.engines.url), "--rpc-url", down, "--contract", client.address
    )
    assert code == 2, out
    assert "NOT CHECKED" in out
    assert "INVALID" not in out
    assert "unreachable" in out


def test_without_contract_the_ledgers_own_rows_name_it_and_the_answer_says_so(
    tmp_path: Path,
    ledger: Ledger,
    chain: Chain,
    anvil_url: str,
    client: LedgerAnchorClient,
    service: AnchorService,
) -> None:
    size = anchored(ledger, chain, service)
    url = str(ledger.engines.url)
    code, out = verify("--db", url, "--rpc-url", anvil_url)
    assert code == 0, out
    assert client.address in out
    assert f"the last at size {size}" in out
    assert "give --contract" in out  # not an address the auditor trusts: said plainly
    code, out = verify(
        "--db", url, "--rpc-url", anvil_url, env={"THREEFLOW_ANCHOR_CONTRACT": client.address}
    )
    assert code == 0, out
    assert "give --contract" not in out  # the configured contract is a trusted one
    bundle = tmp_path / "ledger.jsonl"
    export_bundle(url, bundle)
    code, out = verify(str(bundle), "--rpc-url", anvil_url)
    assert code == 0, out
    assert client.address in out


def test_a_forged_database_without_anchor_rows_never_passes_on_chain(
    tmp_path: Path,
    ledger: Ledger,
    chain: Chain,
    anvil_url: str,
    client: LedgerAnchorClient,
    service: AnchorService,
) -> None:
    size = anchored(ledger, chain, service)
    with new_ledger(tmp_path / "forged.db") as forged:  # same key and origin, no anchor rows
        grow(forged, (size - forged.size()) // 2 + 2, tag="forged")
        forged.checkpoint()
        url = str(forged.engines.url)
    bundle = tmp_path / "forged.jsonl"
    export_bundle(url, bundle)
    for target in (["--db", url], [str(bundle)]):
        code, out = verify(*target, "--rpc-url", anvil_url)
        assert code == 2, out
        assert "nothing on chain was checked" in out
        assert "valid" not in out.replace("INVALID", "")
        env = {"THREEFLOW_ANCHOR_CONTRACT": client.address}  # the operator's own setting
        code, out = verify(*target, "--rpc-url", anvil_url, env=env)
        assert code == 1, out
        assert f"anchor at size {size}" in out


def test_a_contract_that_holds_nothing_deep_enough_checks_nothing(
    ledger: Ledger, chain: Chain, anvil_url: str, client: LedgerAnchorClient
) -> None:
    grow(ledger, 1)
    ledger.checkpoint()
    args = ["--db", str(ledger.engines.url), "--rpc-url", anvil_url, "--contract", client.address]
    code, out = verify(*args)
    assert code == 2, out
    assert "holds no anchor of this ledger" in out
    code, out = verify(*args[:4], "--contract", "0x" + "11" * 20)  # no code there
    assert code == 2, out
    assert "no contract at" in out
