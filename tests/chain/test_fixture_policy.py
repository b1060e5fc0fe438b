"""In CI a chain test that cannot reach its node fails; on a laptop it skips."""

from __future__ import annotations

import pytest

from tests.chain.conftest import unavailable


def test_missing_node_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        unavailable("anvil missing")


def test_missing_node_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        unavailable("anvil missing")
