"""An app over a fresh SQLite ledger with a few registered participants and API keys."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from finance_api.app import create_app
from finance_api.auth import create_api_key
from ledger.core.clock import FixedClock
from ledger.core.keys import SigningKey
from ledger.log import CheckpointPolicy, Ledger

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SINCE = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Party:
    id: str
    key: SigningKey
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key}


@dataclass
class World:
    client: TestClient
    ledger: Ledger
    seller: Party
    buyer: Party
    clock: FixedClock


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    clock = FixedClock(NOW)
    ledger = Ledger.open(
        f"sqlite:///{tmp_path / 'api.db'}",
        ledger_key=SigningKey(bytes(range(32))),
        clock=clock,
        policy=CheckpointPolicy(every_entries=50, every_seconds=3600),
    )
    parties = {}
    for pid, role in (("seller-1", "seller"), ("buyer-1", "buyer")):
        key = SigningKey.generate()
        ledger.register_participant(pid, pid.title(), [role], "CN", key.public_key, SINCE)
        parties[pid] = Party(pid, key, create_api_key(ledger, pid, "test", NOW))
    with TestClient(create_app(ledger)) as client:
        yield World(client, ledger, parties["seller-1"], parties["buyer-1"], clock)
    ledger.close()
