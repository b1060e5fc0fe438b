"""Test data for the storage suite: the ledger key, a fixed clock, signed events, ledgers.

The participants and their keys are the demo scenario's (``finance_api.demo_scenario``),
so its signed three-flow events can be appended as they are. :func:`build_base` makes the
ledger most tests start from (or tamper with a copy of): about 270 entries across the
three flows, a key rotation and a revocation, and signed checkpoints every 64 entries.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import select

from finance_api import demo_scenario
from ledger.core.clock import FixedClock
from ledger.core.events import Event
from ledger.core.keys import SigningKey
from ledger.service import CheckpointPolicy, Ledger
from ledger.storage.models import Checkpoint

T0 = demo_scenario.START  # every demo key is valid from here
NOW = datetime(2026, 1, 1, tzinfo=UTC)  # the ledger's clock: after every scenario event
LEDGER_KEY = SigningKey(hashlib.sha256(b"threeflow tests: the ledger key").digest())
OTHER_LEDGER_KEY = SigningKey(hashlib.sha256(b"threeflow tests: another ledger").digest())
NEVER = CheckpointPolicy(every_entries=10**9, every_seconds=1e12)
_IDS = uuid.UUID("6f1b2f0e-6c2c-4b7e-9a57-0d3c3e1f5a10")

PARTICIPANT_IDS = tuple(demo_scenario.PARTICIPANTS)
SELLER, BUYER, WAREHOUSE, CARRIER, LENDER, AUDITOR = PARTICIPANT_IDS
ORDERS = 30  # the demo scenario's orders in the base ledger (about 8.5 events each)
BASE_POLICY = CheckpointPolicy(every_entries=64, every_seconds=1e12)


def key_for(participant_id: str) -> SigningKey:
    return demo_scenario.key_for(participant_id)


def rotated_key(participant_id: str, generation: int = 2) -> SigningKey:
    return SigningKey(hashlib.sha256(f"tests:{participant_id}:{generation}".encode()).digest())


def event_id(tag: str) -> str:
    return str(uuid.uuid5(_IDS, tag))


def open_ledger(
    url: str,
    *,
    policy: CheckpointPolicy = NEVER,
    clock: FixedClock | None = None,
    key: SigningKey = LEDGER_KEY,
) -> Ledger:
    return Ledger.open(
        url, ledger_key=key, clock=clock or FixedClock(NOW), policy=policy, signature_threads=1
    )


def order_accepted(
    actor: str,
    tag: str,
    *,
    at: datetime | None = None,
    key: SigningKey | None = None,
    subjects: Sequence[str] = (),
    payload: dict[str, Any] | None = None,
) -> Event:
    """A small valid information event signed by ``actor`` (or by ``key``)."""
    return Event.create(
        key or key_for(actor),
        flow="information",
        type="order.accepted",
        actor=actor,
        payload=payload if payload is not None else {"order_id": f"order-{tag}", "seller": actor},
        occurred_at=at or T0 + timedelta(days=1),
        subjects=list(subjects),
        event_id=event_id(tag),
    )


def accepted_batch(actor: str, prefix: str, count: int, **kwargs: Any) -> list[Event]:
    return [order_accepted(actor, f"{prefix}-{n}", **kwargs) for n in range(count)]


def batched(events: Iterable[Event], size: int) -> Iterator[list[Event]]:
    stream = iter(events)
    while chunk := list(islice(stream, size)):
        yield chunk


@dataclass(frozen=True, slots=True)
class Base:
    """What the base ledger holds, for tests that read or tamper with a copy of it."""

    url: str
    size: int
    checkpoints: tuple[int, ...]
    revoked_key_id: str


def build_base(url: str) -> Base:
    """The shared starting ledger: demo participants and events, a rotated auditor key."""
    with open_ledger(url, policy=BASE_POLICY) as ledger:
        demo_scenario.register(ledger)
        for chunk in batched(demo_scenario.events(orders=ORDERS), 40):
            ledger.append_batch(chunk)
        # the auditor signs with its first key, rotates, and signs with the second
        old, new = key_for(AUDITOR), rotated_key(AUDITOR)
        at = T0 + timedelta(days=200)
        ledger.append(order_accepted(AUDITOR, "audit-1", at=at, subjects=[SELLER]))
        ledger.add_key(AUDITOR, new.public_key, at)
        ledger.revoke_key(AUDITOR, old.key_id, "rotated")
        ledger.append(order_accepted(AUDITOR, "audit-2", at=at, key=new, subjects=[SELLER]))
        ledger.checkpoint()
        with ledger.engines.read.connect() as connection:
            sizes = tuple(connection.execute(select(Checkpoint.tree_size)).scalars())
        return Base(url, ledger.size(), tuple(sorted(sizes)), old.key_id)
