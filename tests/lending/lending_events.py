"""Signed lending events for the tests: a second lender, credit-line acts, logins."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from ledger.core.events import Event
from ledger.log import Ledger
from ledger.storage.models import Participant
from tests.ledger.scenario import LENDER, SELLER, T0, key_for

OTHER_LENDER = "lender-0099"
PLATFORM = "platform-0001"
AT = T0 + timedelta(days=40)


def usd(minor: int) -> dict[str, Any]:
    return {"amount_minor": minor, "currency": "USD"}


def with_other_lender(ledger: Ledger) -> Ledger:
    """Register a second lender and a platform once on this (module's) ledger."""
    with ledger.reading() as connection:
        known = {row[0] for row in connection.execute(select(Participant.id))}
    for pid, name, role, country in ((OTHER_LENDER, "Other Bank", "lender", "GB"),
                                     (PLATFORM, "The Platform", "platform", "SG")):  # fmt: skip
        if pid not in known:
            ledger.register_participant(pid, name, [role], country, key_for(pid).public_key, T0)
    return ledger


def event(actor: str, etype: str, payload: dict[str, Any], *, at: datetime = AT,
          flow: str = "finance") -> Event:  # fmt: skip
    subjects = sorted({v for k, v in payload.items() if k in ("borrower", "lender",
                       "applicant", "account") and v != actor})  # fmt: skip
    return Event.create(
        key_for(actor),
        flow=flow,
        type=etype,
        actor=actor,
        payload=payload,
        occurred_at=at,
        subjects=subjects,
        event_id=str(uuid.uuid4()),
    )


def line_act(line_id: str, name: str, *, lender: str = LENDER, at: datetime = AT,
             **extra: Any) -> Event:  # fmt: skip
    payload: dict[str, Any] = {"line_id": line_id, "lender": lender, **extra}
    if name in ("drawn",):
        payload.setdefault("borrower", SELLER)
    return event(lender, f"credit_line.{name}", payload, at=at)


def open_line(line_id: str, limit: int, *, lender: str = LENDER, at: datetime = AT,
              **extra: Any) -> Event:  # fmt: skip
    return line_act(line_id, "opened", lender=lender, at=at, borrower=SELLER, limit=usd(limit),
                    **extra)  # fmt: skip
