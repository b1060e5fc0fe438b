"""Reading automatic decisions back, and a lender's decision policy.

An application is shown to its applicant, its lender and auditors; to anyone else it does
not exist (404, as for an unknown id). Its decisions are shown as the ledger recorded them
(outcome, limit, reasons in words, every rule, the model version, PD and checkpoint, the
fraud score, the decision an override overrides), from the entries themselves.

A lender's policy (cut-off, referral band, limit formula) is a row of
``lending_decision_policies``; a lender that set none gets :class:`LenderPolicy`'s defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from finance_api.lending.decision_tables import ApplicationRow, DecisionPolicyRow, DecisionRow
from finance_api.lending.rules.adverse import in_words
from finance_api.lending.rules.policy import LenderPolicy
from ledger.core.access import Caller
from ledger.core.entry import LedgerEntry
from ledger.core.errors import NotFound
from ledger.log import Ledger
from ledger.storage import reads
from ledger.trust.access import READ_ALL

OUTCOME = {"approved": "approve", "review": "refer", "declined": "decline"}
POLICY_FIELDS = tuple(f.name for f in fields(LenderPolicy))


_APPLICATION = (
    select(ApplicationRow)
    .where(ApplicationRow.application_id == bindparam("application_id"))
    .order_by(ApplicationRow.seq)
    .limit(1)
)  # built once (every decision reads it)
_DECISIONS = (
    select(DecisionRow.seq, DecisionRow.automatic)
    .where(DecisionRow.application_id == bindparam("application_id"),
           DecisionRow.lender == bindparam("lender"))
    .order_by(DecisionRow.seq)
)  # fmt: skip


def application_row(connection: Connection, application_id: str) -> Any:
    """The first application recorded under that id (None: none)."""
    return connection.execute(_APPLICATION, {"application_id": application_id}).first()


def decision_rows(connection: Connection, application_id: str, lender: str) -> list[Any]:
    """(seq, automatic) of the lender's decisions on the application, oldest first."""
    found = connection.execute(_DECISIONS, {"application_id": application_id, "lender": lender})
    return list(found.all())


def may_see(caller: Caller, applicant: str, lender: str) -> bool:
    return bool(caller.roles & READ_ALL) or caller.participant_id in (applicant, lender)


def decision_json(entry: LedgerEntry, scorer_reasons: Sequence[Mapping[str, Any]] = ()
                  ) -> dict[str, Any]:  # fmt: skip
    """A ``credit.decision`` entry as the routes answer it."""
    p, event = entry.event.payload, entry.event
    limit = p.get("limit")
    checkpoint = ({"tree_size": p["tree_size"], "root_hash": p["root_hash"]}
                  if "tree_size" in p else None)  # fmt: skip
    return {
        "decision_id": event.id, "seq": entry.seq, "outcome": OUTCOME[str(p["decision"])],
        "limit": limit, "reasons": in_words(list(p.get("reasons", [])), scorer_reasons),
        "rules": list(p.get("rules", [])), "pd_ppm": p.get("pd_ppm"),
        "fraud_points": p.get("fraud_points"), "model_version": p.get("model_version"),
        "checkpoint": checkpoint, "reason": p.get("reason"), "override_of": p.get("override_of"),
        "lender": event.actor, "signed_by": event.key_id,
        "decided_at": event.occurred_at.isoformat(),
    }  # fmt: skip


def application_json(row: Any, decisions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "application_id": row.application_id, "seq": row.seq, "applicant": row.applicant,
        "lender": row.lender, "product": row.product,
        "requested": {"amount_minor": row.requested_minor, "currency": row.currency},
        "receipt_id": row.receipt_id, "decisions": decisions,
        "current": decisions[-1] if decisions else None,
    }  # fmt: skip


def decision_entries(connection: Connection, application_id: str, lender: str
                     ) -> list[LedgerEntry]:  # fmt: skip
    rows = decision_rows(connection, application_id, lender)
    return [reads.entry(connection, int(row.seq)) for row in rows]


def read_application(ledger: Ledger, caller: Caller, application_id: str) -> dict[str, Any]:
    with ledger.reading() as connection:
        row = application_row(connection, application_id)
        if row is None or not may_see(caller, row.applicant, row.lender):
            raise NotFound(f"no application {application_id} you may see",
                           field="application_id")  # fmt: skip
        entries = decision_entries(connection, application_id, row.lender)
    return application_json(row, [decision_json(e) for e in entries])


# -- a lender's policy -------------------------------------------------------------------
def policy_of(connection: Connection, lender: str) -> LenderPolicy:
    settings = connection.execute(
        select(DecisionPolicyRow.settings).where(DecisionPolicyRow.lender == lender)
    ).scalar_one_or_none()
    if not settings:
        return LenderPolicy()
    return LenderPolicy(**{k: int(v) for k, v in settings.items() if k in POLICY_FIELDS})


def policy_json(lender: str, policy: LenderPolicy) -> dict[str, Any]:
    return {"lender": lender, **asdict(policy)}


def set_policy(ledger: Ledger, lender: str, settings: Mapping[str, int], at: datetime
               ) -> dict[str, Any]:  # fmt: skip
    """Replace the lender's policy (fields left out take the defaults); validated first
    (``InvalidSetting`` naming the field: nothing written)."""
    policy = LenderPolicy(**{k: int(v) for k, v in settings.items() if k in POLICY_FIELDS})
    row = {"settings": asdict(policy), "updated_at": at}
    with ledger.unit_of_work(lock=False) as uow:
        done = uow.connection.execute(
            update(DecisionPolicyRow).where(DecisionPolicyRow.lender == lender).values(row)
        )
        if done.rowcount == 0:
            uow.connection.execute(insert(DecisionPolicyRow).values(lender=lender, **row))
        uow.commit()
    return policy_json(lender, policy)
