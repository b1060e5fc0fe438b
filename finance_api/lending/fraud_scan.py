"""Fraud scores of every credit application, in one streaming pass over the ledger.

One read of the participant registry (registered countries), then one scan of the
``account.login`` and ``credit.application`` entries in sequence order, fed to the pure
:class:`~finance_api.lending.rules.fraud.FraudState`: each application is scored on the
logins and applications before it (point in time, as a lender deciding it would have seen),
never by a query per participant.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from finance_api.lending.rules.fraud import FraudScore, FraudState, FraudWeights
from ledger.storage.models import Entry, Participant

TYPES = ("account.login", "credit.application")


@dataclass(frozen=True, slots=True)
class ScoredApplication:
    seq: int
    application_id: str
    applicant: str
    lender: str
    at: datetime
    fraud: FraudScore


def registered_countries(connection: Connection) -> dict[str, str | None]:
    rows = connection.execute(select(Participant.id, Participant.country))
    return {pid: country for pid, country in rows}


def scan(connection: Connection, weights: FraudWeights = FraudWeights(),
         chunk: int = 5_000) -> tuple[FraudState, list[ScoredApplication]]:  # fmt: skip
    """Score every application on the ledger of ``connection`` (a read snapshot)."""
    state = FraudState(registered_countries(connection), weights)
    scored = list(_feed(connection, state, chunk))
    return state, scored


def _feed(connection: Connection, state: FraudState, chunk: int) -> Iterator[ScoredApplication]:
    rows = connection.execute(
        select(Entry.seq, Entry.type, Entry.occurred_at, Entry.canonical)
        .where(Entry.type.in_(TYPES))
        .order_by(Entry.seq)
        .execution_options(yield_per=chunk)
    )
    for seq, etype, occurred_at, canonical in rows:
        payload = json.loads(canonical)["payload"]
        if etype == "account.login":
            state.login(payload)
            continue
        yield ScoredApplication(seq, str(payload["application_id"]), str(payload["applicant"]),
                                str(payload["lender"]), occurred_at,
                                state.application(payload, occurred_at))  # fmt: skip
