"""An application decided automatically, from what the ledger's read models say.

The facts the policy needs beside the scorer's assessment and the fraud score: what the
applicant owes this lender already (its lines' balances) and whether any of its lines, with
any lender, is in default now (the active-default knock-out). One query. The revenue the
limit formula uses comes from the caller (the credit features compute it).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, select

from finance_api.lending.line_tables import CreditLineRow
from finance_api.lending.rules.fraud import FraudScore
from finance_api.lending.rules.policy import (
    Application,
    Assessment,
    Decision,
    LenderPolicy,
    decide,
)


@dataclass(frozen=True, slots=True)
class Facts:
    existing_exposure: int
    active_default: bool


_t = CreditLineRow
_LINES = select(_t.lender, _t.status, _t.principal_minor + _t.interest_minor + _t.fees_minor).where(
    _t.borrower == bindparam("applicant")
)  # built once: every automatic decision runs it


def facts(connection: Connection, applicant: str, lender: str) -> Facts:
    rows = connection.execute(_LINES, {"applicant": applicant}).all()
    owed = sum(int(balance) for who, _, balance in rows if who == lender)
    return Facts(owed, any(status == "defaulted" for _, status, _ in rows))


def automatic_decision(
    connection: Connection,
    application_id: str,
    applicant: str,
    lender: str,
    requested: int,
    assessment: Assessment,
    fraud: FraudScore,
    revenue_6m: int,
    policy: LenderPolicy = LenderPolicy(),
    currency: str = "USD",
) -> Decision:
    known = facts(connection, applicant, lender)
    app = Application(application_id, applicant, lender, requested, currency,
                      revenue_6m=revenue_6m, existing_exposure=known.existing_exposure,
                      active_default=known.active_default, fraud_points=fraud.points,
                      fraud_reasons=fraud.reasons)  # fmt: skip
    return decide(app, assessment, policy)
