"""The receivable registry gate from settings: off without a contract, refused without keys,
built from the environment (and handing other batches to the receipt gate), and a server
factory that puts it where the routes look."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from finance_api.receipts_chain.keys import ChainKeys, ChainKeysUnreadable
from finance_api.receivables_chain.gate import ReceivableGate
from finance_api.receivables_chain.settings import ReceivableRegistrySettings
from finance_api.receivables_chain.wiring import gate_from_settings
from ledger.core.errors import InvalidEvent
from ledger.core.events import Event
from ledger.core.keys import SigningKey

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


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[int] = []

    def append(self, ledger: Any, events: Any, *, batch: bool) -> list[Any]:
        self.calls.append(len(events))
        return []


def _event(etype: str, payload: dict[str, Any]) -> Event:
    return Event.create(SigningKey.generate(), flow="finance", type=etype, actor="bank-1",
                        payload=payload, occurred_at=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip


def test_other_batches_go_to_the_receipt_gate_and_mixed_ones_are_refused() -> None:
    receipts = _Recorder()
    gate = ReceivableGate(None, None, ChainKeys({}), fallback=receipts)  # type: ignore[arg-type]
    pledge = _event("receipt.released", {"receipt_id": "r-1", "lender": "bank-1"})
    assert gate.append(None, [pledge], batch=False) == []  # type: ignore[arg-type]
    assert receipts.calls == [1]
    usd = {"amount_minor": 1, "currency": "USD"}
    financing = _event("receivable.settled", {"financing_id": "f-1", "lender": "bank-1",
                       "seller": "s-1", "fee": usd, "rebate": usd})  # fmt: skip
    with pytest.raises(InvalidEvent) as caught:
        gate.append(None, [financing, pledge], batch=True)  # type: ignore[arg-type]
    assert caught.value.field == "events"
    assert receipts.calls == [1]
