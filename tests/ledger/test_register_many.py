"""Registering many participants at once: one atomic batch, verifiable like any other."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ledger.audit.database import verify_database
from ledger.core.errors import InvalidEvent
from ledger.core.keybook import Registration
from ledger.core.keys import SigningKey
from ledger.log import Ledger

SINCE = datetime(2024, 1, 1, tzinfo=UTC)


def registration(n: int, participant_id: str | None = None) -> Registration:
    key = SigningKey(n.to_bytes(32, "big"))
    return Registration(
        participant_id or f"seller-{n}", f"Seller {n}", ("seller",), "CN", key.public_key, SINCE
    )


def test_many_participants_in_one_batch(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'many.db'}"
    with Ledger.open(url, ledger_key=SigningKey(bytes(range(32)))) as ledger:
        before = ledger.size()
        entries = ledger.register_participants([registration(n) for n in range(1, 301)])
        assert [e.seq for e in entries] == list(range(before, before + 600))
        assert [e.event.type for e in entries[:2]] == [
            "participant.registered",
            "participant.key_added",
        ]
        ledger.checkpoint()
    assert verify_database(url).participants == 301  # the operator and the 300


def test_one_bad_registration_leaves_none_behind(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'many.db'}"
    with Ledger.open(url, ledger_key=SigningKey(bytes(range(32)))) as ledger:
        before = ledger.size()
        batch = [registration(1), registration(2), registration(3, participant_id="seller-1")]
        with pytest.raises(InvalidEvent, match="already registered") as caught:
            ledger.register_participants(batch)
        assert caught.value.field is not None
        assert caught.value.field.startswith("events[4]")
        assert ledger.size() == before
        with pytest.raises(InvalidEvent, match="at most"):
            ledger.register_participants([registration(n) for n in range(1, 5002)])
