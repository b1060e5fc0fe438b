"""In CI a chain test that cannot reach its node fails; on a laptop it skips."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.anchoring import ChainUnavailable
from ledger.anchoring.devnode import AnvilNode
from tests.chain.conftest import unavailable


def test_missing_node_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        unavailable("anvil missing")


def test_missing_node_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        unavailable("anvil missing")


def test_a_binary_that_is_not_anvil_is_chain_unavailable(tmp_path: Path) -> None:
    fake = tmp_path / "anvil"
    fake.write_text("#!/bin/sh\necho 'no such node' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(ChainUnavailable, match="no such node"):
        AnvilNode(fake, start_timeout=2.0, attempts=1).start()
