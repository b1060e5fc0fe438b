"""The alerts a batch of credit-line entries raises, kept with the credit-line projection.

Called by :mod:`finance_api.lending.line_projector` with each entry's line before and after;
it loads the touched lenders' books (what each borrower owes them) and concentration flags
in one query each, evaluates the pure alert rules entry by entry, and writes the alerts and
the changed flags at the end of the batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from finance_api.lending.alert_tables import AlertRow, ConcentrationFlag
from finance_api.lending.keyed import KeyedDelete
from finance_api.lending.line_tables import CreditLineRow
from finance_api.lending.rules.alerts import ConcentrationPolicy, concentration, line_alerts
from finance_api.lending.rules.lines import Line

_FLAGS_GONE = KeyedDelete(ConcentrationFlag, ("lender", "borrower"))


class AlertBook:
    def __init__(self, connection: Connection, lenders: Iterable[str],
                 policy: ConcentrationPolicy = ConcentrationPolicy()) -> None:  # fmt: skip
        self.connection = connection
        self.policy = policy
        wanted = sorted(set(lenders))
        t = CreditLineRow
        owed = t.principal_minor + t.interest_minor + t.fees_minor
        self.books: dict[str, dict[str, int]] = {lender: {} for lender in wanted}
        for lender, borrower, total in connection.execute(
            select(t.lender, t.borrower, func.sum(owed))
            .where(t.lender.in_(wanted))
            .group_by(t.lender, t.borrower)
        ):
            self.books[lender][borrower] = int(total)
        self.flags: dict[str, set[str]] = {lender: set() for lender in wanted}
        for lender, borrower in connection.execute(
            select(ConcentrationFlag.lender, ConcentrationFlag.borrower).where(
                ConcentrationFlag.lender.in_(wanted)
            )
        ):
            self.flags[lender].add(borrower)
        self.stored_flags = {(lender, b) for lender, bs in self.flags.items() for b in bs}
        self.rows: list[dict[str, Any]] = []

    def record(self, seq: int, at: datetime, etype: str, before: Line | None, after: Line,
               change: int) -> None:  # fmt: skip
        alerts = line_alerts(before, after, etype)
        if change:
            book = self.books.setdefault(after.lender, {})
            book[after.borrower] = book.get(after.borrower, 0) + change
            alerts += concentration(after.lender, book, self.flags.setdefault(after.lender,
                                    set()), self.policy)  # fmt: skip
        self.rows.extend({"seq": seq, "kind": a.kind, "subject": a.subject, "lender": a.lender,
                          "borrower": a.borrower, "severity": a.severity,
                          "detail": dict(a.detail), "occurred_at": at} for a in alerts)  # fmt: skip

    def write(self) -> None:
        if self.rows:
            self.connection.execute(insert(AlertRow), self.rows)
        now = {(lender, b) for lender, bs in self.flags.items() for b in bs}
        gone, new = self.stored_flags - now, now - self.stored_flags
        _FLAGS_GONE.run(self.connection, sorted(gone))
        if new:
            rows = [{"lender": lender, "borrower": b} for lender, b in sorted(new)]
            self.connection.execute(insert(ConcentrationFlag), rows)
