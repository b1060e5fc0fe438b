"""Closing a credit facility and recording how it ended, for the ground truth."""

from __future__ import annotations

from datetime import date

from simulations.agents import CreditLine, Facility, ReceiptLoan, Seller
from simulations.world import LoanOutcome, World


def close(
    w: World, s: Seller, f: Facility, status: str, day: date, ead: int, recovery: int, loss: int
) -> None:
    f.closed = True
    w.closed_loans.append(outcome(w, s, f, status, day, ead, recovery, loss))


def outcome(
    w: World,
    s: Seller,
    f: Facility,
    status: str,
    day: date | None,
    ead: int = 0,
    recovery: int = 0,
    loss: int = 0,
) -> LoanOutcome:
    if isinstance(f, ReceiptLoan):
        product, amount, drawn = "receipt_loan", f.principal, f.principal
    else:
        assert isinstance(f, CreditLine)
        product, amount, drawn = "credit_line", f.limit, f.drawn_total
    return LoanOutcome(
        f.ident, product, s.pid, w.lender(f.lender).pid, f.opened, amount, drawn, status,
        day if status != "open" else None, day if status == "defaulted" else None,
        ead, recovery, loss,
    )  # fmt: skip
