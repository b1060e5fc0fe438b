"""Anchoring settings: the key comes from the environment or a file and never shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from ledger.anchoring.settings import IN_PROCESS, AnchorKeyMissing, AnchorSettings

KEY: LocalAccount = Account.from_key("0x" + "11" * 32)


def test_defaults_to_the_in_process_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THREEFLOW_ANCHOR_RPC_URL", raising=False)
    assert AnchorSettings().rpc_url == IN_PROCESS


def test_key_from_the_environment_never_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THREEFLOW_ANCHOR_PRIVATE_KEY", KEY.key.hex())
    monkeypatch.setenv("THREEFLOW_ANCHOR_CONFIRMATIONS", "5")
    settings = AnchorSettings()
    assert settings.confirmations == 5
    assert settings.account().address == KEY.address
    for shown in (repr(settings), str(settings), settings.model_dump_json()):
        assert KEY.key.hex().removeprefix("0x") not in shown


def test_key_from_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THREEFLOW_ANCHOR_PRIVATE_KEY", raising=False)
    key_file = tmp_path / "anchor.key"
    key_file.write_text(KEY.key.hex() + "\n")
    assert AnchorSettings(key_file=key_file).account().address == KEY.address


def test_missing_or_malformed_keys_are_named_without_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("THREEFLOW_ANCHOR_PRIVATE_KEY", raising=False)
    monkeypatch.delenv("THREEFLOW_ANCHOR_KEY_FILE", raising=False)
    with pytest.raises(AnchorKeyMissing):
        AnchorSettings().account()
    with pytest.raises(AnchorKeyMissing):
        AnchorSettings(key_file=tmp_path / "absent").account()
    secret = "not-a-key-but-secret-text"
    monkeypatch.setenv("THREEFLOW_ANCHOR_PRIVATE_KEY", secret)
    with pytest.raises(AnchorKeyMissing) as caught:
        AnchorSettings().account()
    assert secret not in str(caught.value)
    assert caught.value.__cause__ is None
