"""``threeflow verify --rpc-url``: databases and bundles checked against their anchors on anvil."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finance_api.cli import app
from ledger.anchoring import Chain, LedgerAnchorClient
from ledger.anchoring.service import AnchorService
from ledger.audit.export import export_bundle
from ledger.log import Ledger
from tests.anchoring.conftest import grow, new_ledger
from tests.anchoring.test_verify_anvil import anchored

pytestmark = pytest.mark.chain
runner = CliRunner()


def verify(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["verify", *args])
    return result.exit_code, result.output


def test_an_anchored_ledger_and_its_bundle_verify_on_chain(
    tmp_path: Path,
    ledger: Ledger,
    chain: Chain,
    anvil_url: str,
    client: LedgerAnchorClient,
    service: AnchorService,
) -> None:
    first = anchored(ledger, chain, service)
    second = anchored(ledger, chain, service)
    url = str(ledger.engines.url)
    code, out = verify("--db", url, "--rpc-url", anvil_url, "--contract", client.address)
    assert code == 0, out
    assert "anchors verified" in out

    bundle = tmp_path / "ledger.jsonl"
    export_bundle(url, bundle)
    kinds = [json.loads(line)["kind"] for line in bundle.read_text().splitlines()]
    assert kinds.count("anchor") == 2
    assert kinds.index("anchor") < kinds.index("entry")  # roots are kept while streaming
    key = ledger.public_key.hex()
    for extra in ([], ["--contract", client.address]):
        code, out = verify(str(bundle), "--key", key, "--rpc-url", anvil_url, *extra)
        assert code == 0, out
    assert first < second


def test_a_rewritten_history_resigned_with_the_ledger_key_fails_verify(
    tmp_path: Path,
    ledger: Ledger,
    chain: Chain,
    anvil_url: str,
    client: LedgerAnchorClient,
    service: AnchorService,
) -> None:
    size = anchored(ledger, chain, service)
    with new_ledger(tmp_path / "forged.db") as forged:  # same ledger key and origin
        grow(forged, (size - forged.size()) // 2 + 2, tag="forged")
        forged.checkpoint()
        url = str(forged.engines.url)
        # Without the chain the forgery is self-consistent: every signature and root holds.
        assert verify("--db", url)[0] == 0
        code, out = verify("--db", url, "--rpc-url", anvil_url, "--contract", client.address)
        assert code == 1
        assert f"anchor at size {size}" in out
        bundle = tmp_path / "forged.jsonl"
        export_bundle(url, bundle)
        code, out = verify(str(bundle), "--rpc-url", anvil_url, "--contract", client.address)
        assert code == 1
        assert f"anchor at size {size}" in out
