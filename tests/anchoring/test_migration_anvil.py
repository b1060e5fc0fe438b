"""A ledger anchored on LedgerAnchor (v1) moves to LedgerAnchorV2; both stay verifiable.

The move is a configuration change: the service pointed at the v2 contract anchors the
latest checkpoint there at once (v1's rows do not count for v2), and later ones go to v2.
Verification checks each anchor on the contract it names, and every anchor each trusted
contract holds, so a history rewritten with the ledger key is caught by either.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from typer.testing import CliRunner

from finance_api.cli import app
from ledger.anchoring import Chain
from ledger.anchoring.anchor_client import LedgerAnchorClient
from ledger.anchoring.anchor_v2_client import LedgerAnchorV2Client
from ledger.anchoring.cli import deploy_for
from ledger.anchoring.service import AnchorService
from ledger.audit.export import export_bundle
from ledger.log import Ledger
from tests.anchoring.conftest import SETTINGS, grow, new_ledger

pytestmark = pytest.mark.chain
runner = CliRunner()


@pytest.fixture(autouse=True)
def no_configured_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THREEFLOW_ANCHOR_CONTRACT", raising=False)


def anchor_now(ledger: Ledger, chain: Chain, service: AnchorService, grow_by: int = 1) -> int:
    grow(ledger, grow_by)
    size = ledger.checkpoint().checkpoint.tree_size
    assert service.anchor_latest() is not None
    chain.mine(3)
    assert service.poll().confirmed == (size,)
    return size


def verify(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["verify", *args])
    return result.exit_code, result.output


def test_a_ledger_moves_from_v1_to_v2_and_both_verify(
    tmp_path: Path, ledger: Ledger, chain: Chain, anvil_url: str, anchorer: LocalAccount
) -> None:
    v1 = deploy_for(chain, ledger, anchorer, version=1)
    assert isinstance(v1, LedgerAnchorClient)
    on_v1 = AnchorService(ledger, chain, v1, anchorer, SETTINGS)
    first = anchor_now(ledger, chain, on_v1)
    second = anchor_now(ledger, chain, on_v1)

    v2 = deploy_for(chain, ledger, anchorer)  # deploy v2, make the anchorer its anchorer
    assert isinstance(v2, LedgerAnchorV2Client)
    on_v2 = AnchorService(ledger, chain, v2, anchorer, SETTINGS)
    moved = on_v2.anchor_latest()  # the size v1 holds already, now on v2 as well
    assert moved is not None
    assert (moved.tree_size, moved.contract) == (second, v2.address)
    chain.mine(3)
    on_v2.poll()
    third = anchor_now(ledger, chain, on_v2)
    assert [r.tree_size for r in v1.records(on_v1.ledger_id)] == [first, second]
    assert [r.tree_size for r in v2.records(on_v2.ledger_id)] == [second, third]

    url = str(ledger.engines.url)
    both = ["--contract", v1.address, "--contract", v2.address]
    for contracts in (both, ["--contract", v2.address], []):
        code, out = verify("--db", url, "--rpc-url", anvil_url, *contracts)
        assert code == 0, out
        assert f"the last at size {third}" in out
    bundle = tmp_path / "moved.jsonl"
    export_bundle(url, bundle)
    code, out = verify(str(bundle), "--rpc-url", anvil_url, *both)
    assert code == 0, out

    with new_ledger(tmp_path / "forged.db") as forged:  # the ledger key, no anchor rows
        grow(forged, (third - forged.size()) // 2 + 1, tag="forged")
        forged.checkpoint()
        forged_url = str(forged.engines.url)
    for contracts in (both, ["--contract", v1.address], ["--contract", v2.address]):
        code, out = verify("--db", forged_url, "--rpc-url", anvil_url, *contracts)
        assert code == 1, out
        assert "INVALID" in out
