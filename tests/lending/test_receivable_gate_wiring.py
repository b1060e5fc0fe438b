"""The receivable registry gate from settings: off without a contract, refused without keys,
built from the environment (and handing other batches to the receipt gate), and a server
factory that puts it where the routes look."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account

from finance_api.receipts_chain.keys import ChainKeysUnreadable
from finance_api.receivables_chain.settings import ReceivableRegistrySettings
from finance_api.receivables_chain.wiring import gate_from_settings

CONTRACT = "0x" + "cd" * 20


def test_the_registry_is_off_without_a_contract() -> None:
    assert gate_from_settings(ReceivableRegistrySettings()) is None


def test_a_contract_without_a_keys_file_is_refused() -> None:
    with pytest.raises(ChainKeysUnreadable) as caught:
        gate_from_settings(ReceivableRegistrySettings(contract=CONTRACT))
    assert caught.value.field == "keys_file"


def test_settings_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = Account.create()
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"bank-1": account.key.hex()}))
    monkeypatch.setenv("THREEFLOW_RECEIVABLE_REGISTRY_CONTRACT", CONTRACT)
    monkeypatch.setenv("THREEFLOW_RECEIVABLE_REGISTRY_KEYS_FILE", str(keys))
    monkeypatch.setenv("THREEFLOW_RECEIVABLE_REGISTRY_WAIT_TIMEOUT", "9")
    receipts = object()
    gate = gate_from_settings(ReceivableRegistrySettings(), fallback=receipts)
    assert gate is not None
    assert (gate.wait_timeout, gate.fallback) == (9, receipts)
    assert gate.client.address.lower() == CONTRACT
    assert gate.keys.address("bank-1", "payload.lender") == account.address
    assert account.key.hex() not in repr(gate.keys)
