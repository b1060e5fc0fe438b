"""The ``lending.decisions`` projection: applications and decisions by application id.

Each ``credit.application`` is kept with its applicant, lender, product, amount and the
receipt it names (secured); each ``credit.decision`` with its outcome and limit, whether it
was automatic (it records the rules that decided it) and which decision it overrides. An
override must name a decision already on the ledger, of the same lender and application:
otherwise the append is refused (nothing written). Nothing else is refused, so ledgers
written before automatic decisions (the simulation's, an operator's import) project as they
are. Batched: one read of the overridden decisions a batch names, two inserts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, insert, select

from finance_api.lending.decision_tables import ApplicationRow, DecisionRow
from finance_api.lending.errors import LendingError
from ledger.core.entry import LedgerEntry


class UnknownDecision(LendingError):
    """An override names no decision of that lender on that application."""

    code = "unknown_decision"
    status = 404


class DecisionsProjector:
    name = "lending.decisions"
    version = 1
    order = 46
    event_types = frozenset({"credit.application", "credit.decision"})
    tables = (ApplicationRow.__table__, DecisionRow.__table__)

    def apply(self, connection: Connection, entries: Sequence[LedgerEntry]) -> None:
        apps: list[dict[str, Any]] = []
        decisions: list[dict[str, Any]] = []
        for entry in entries:
            p, event = entry.event.payload, entry.event
            if event.type == "credit.application":
                money = p["requested"]
                apps.append({"seq": entry.seq, "event_id": event.id,
                             "application_id": str(p["application_id"]),
                             "applicant": str(p["applicant"]), "lender": str(p["lender"]),
                             "product": str(p["product"]),
                             "requested_minor": int(money["amount_minor"]),
                             "currency": str(money["currency"]),
                             "receipt_id": p.get("receipt_id"),
                             "occurred_at": event.occurred_at})  # fmt: skip
                continue
            limit = p.get("limit")
            decisions.append({"seq": entry.seq, "event_id": event.id,
                              "application_id": str(p["application_id"]),
                              "lender": event.actor, "decision": str(p["decision"]),
                              "limit_minor": None if limit is None else int(limit["amount_minor"]),
                              "automatic": "rules" in p and "override_of" not in p,
                              "override_of": p.get("override_of")})  # fmt: skip
        _check_overrides(connection, decisions)
        if apps:
            connection.execute(insert(ApplicationRow), apps)
        if decisions:
            connection.execute(insert(DecisionRow), decisions)


def _check_overrides(connection: Connection, decisions: list[dict[str, Any]]) -> None:
    wanted = sorted({str(d["override_of"]) for d in decisions if d["override_of"]})
    if not wanted:
        return
    known = {
        str(r.event_id): (str(r.lender), str(r.application_id))
        for r in connection.execute(
            select(DecisionRow.event_id, DecisionRow.lender, DecisionRow.application_id).where(
                DecisionRow.event_id.in_(wanted)
            )
        )
    }
    for d in decisions:
        target = d["override_of"]
        if target and known.get(str(target)) != (d["lender"], d["application_id"]):
            raise UnknownDecision(
                f"{d['lender']} made no decision {target} on application {d['application_id']}",
                field="payload.override_of",
            )
        known[str(d["event_id"])] = (d["lender"], d["application_id"])


PROJECTOR = DecisionsProjector()
