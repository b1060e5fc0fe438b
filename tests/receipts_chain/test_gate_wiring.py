"""The registry gate from settings: off without a contract, refused without keys, and the
keys file never shows a key (not in a repr, not in an error)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account

from finance_api.receipts_chain.keys import ChainKeys, ChainKeysUnreadable, NoChainKey
from finance_api.receipts_chain.settings import RegistrySettings
from finance_api.receipts_chain.wiring import gate_from_settings
from ledger.log import Ledger

CONTRACT = "0x" + "ab" * 20


def test_the_registry_is_off_without_a_contract(ledger: Ledger) -> None:
    assert gate_from_settings(ledger, RegistrySettings()) is None


def test_a_contract_without_a_keys_file_is_refused(ledger: Ledger) -> None:
    with pytest.raises(ChainKeysUnreadable) as caught:
        gate_from_settings(ledger, RegistrySettings(contract=CONTRACT))
    assert caught.value.field == "keys_file"


def test_settings_come_from_the_environment(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = Account.create()
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"seller-1": account.key.hex()}))
    monkeypatch.setenv("THREEFLOW_RECEIPT_REGISTRY_CONTRACT", CONTRACT)
    monkeypatch.setenv("THREEFLOW_RECEIPT_REGISTRY_KEYS_FILE", str(keys))
    monkeypatch.setenv("THREEFLOW_RECEIPT_REGISTRY_WAIT_TIMEOUT", "7")
    gate = gate_from_settings(ledger, RegistrySettings())
    assert gate is not None
    assert gate.wait_timeout == 7
    assert gate.service.client.address.lower() == CONTRACT
    assert gate.keys.address("seller-1", "actor") == account.address
    with pytest.raises(NoChainKey) as caught:
        gate.keys.signer("bank-9", "payload.lender")
    assert (caught.value.field, caught.value.status) == ("payload.lender", 409)
    assert account.key.hex() not in repr(gate.keys)


def test_a_malformed_key_is_named_by_participant_never_shown(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"wh-1": "0xnot-a-key-secret"}))
    with pytest.raises(ChainKeysUnreadable) as caught:
        ChainKeys.from_file(keys)
    assert "wh-1" in str(caught.value)
    assert "secret" not in str(caught.value)


def test_the_server_factory_builds_the_gate_from_the_environment(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finance_api.main import receipt_registry_from_settings

    monkeypatch.delenv("THREEFLOW_RECEIPT_REGISTRY_CONTRACT", raising=False)
    assert receipt_registry_from_settings(ledger) is None
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"wh-1": Account.create().key.hex()}))
    monkeypatch.setenv("THREEFLOW_RECEIPT_REGISTRY_CONTRACT", CONTRACT)
    monkeypatch.setenv("THREEFLOW_RECEIPT_REGISTRY_KEYS_FILE", str(keys))
    assert receipt_registry_from_settings(ledger) is not None
