"""How each credit facility ended (or stood at the end), kept to check ledger labels.

Every figure here is also on the ledger (the facility id, its default date, exposure,
recoveries and write-off); the ground truth keeps a copy so that labels derived from the
ledger can be checked against what the simulation did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from simulations.agents import Seller
from simulations.facilities import CreditLine, Facility, ReceiptLoan
from simulations.world import World


@dataclass(frozen=True, slots=True)
class LoanOutcome:
    loan_id: str  # the facility id on the ledger: a loan_id or a line_id
    product: str  # credit_line | receipt_loan
    borrower: str
    lender: str
    application_id: str
    opened: date
    amount_minor: int  # limit of a line, principal of a loan
    drawn_total_minor: int
    status: str  # open | repaid | unused | liquidated | defaulted
    closed: date | None
    default_date: date | None
    default_reason: str | None
    ead_minor: int
    recovery_minor: int
    loss_minor: int


def outcome(w: World, s: Seller, f: Facility, status: str, day: date | None) -> LoanOutcome:
    if isinstance(f, ReceiptLoan):
        product, amount, drawn = "receipt_loan", f.principal, f.principal
    else:
        assert isinstance(f, CreditLine)
        product, amount, drawn = "credit_line", f.limit, f.drawn_total
    loss = max(0, f.ead - f.recovered) if f.defaulted else 0
    return LoanOutcome(
        f.ident, product, s.pid, w.lender(f.lender).pid, f.application_id, f.opened, amount,
        drawn, status, day if status != "open" else None, f.default_day,
        f.default_reason or None, f.ead, f.recovered, loss,
    )  # fmt: skip


def close(w: World, s: Seller, f: Facility, status: str, day: date) -> None:
    f.closed = True
    w.closed_facilities.append(outcome(w, s, f, status, day))
