"""The credit-line projection: each line's state kept in the append's own transaction.

Every ``credit_line.*`` entry goes through the pure rules (:mod:`.rules.lines`); a refusal
(a drawdown beyond the available amount, a draw on a frozen, closing or closed line, a
repayment of a line that does not exist, a statement that contradicts the postings...)
raises its :class:`~finance_api.lending.errors.LendingError` and the whole append is
undone. Batched: one read of the lines a batch touches, one insert of new lines, one
executemany of updates, one insert of postings. The risk monitor's alerts
(:mod:`.alert_book`) are raised here too, entry by entry, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from finance_api.lending.accrual import Pending, check_interest
from finance_api.lending.alert_book import AlertBook
from finance_api.lending.alert_tables import AlertRow, ConcentrationFlag
from finance_api.lending.line_tables import CreditLinePosting, CreditLineRow
from finance_api.lending.rules.lines import EVENT_TYPES, Line, apply
from ledger.core.entry import LedgerEntry
from ledger.core.errors import LedgerError

_MONEY = {"limit": "limit_minor", "principal": "principal_minor", "interest": "interest_minor",
          "fees": "fees_minor", "arrears": "arrears_minor", "defaulted_amount": "defaulted_minor",
          "recovered": "recovered_minor", "written_off": "written_off_minor"}  # fmt: skip


def to_row(line: Line) -> dict[str, Any]:
    return {_MONEY.get(k, k): v for k, v in asdict(line).items()}


def from_row(row: Any) -> Line:
    values = row._mapping
    back = {v: k for k, v in _MONEY.items()}
    skip = ("opened_seq", "updated_seq")
    fields = {back.get(k, k): values[k] for k in values if k not in skip}
    return Line(**fields)


def read_lines(connection: Connection, line_ids: Iterable[str]) -> dict[str, Line]:
    wanted = sorted(set(line_ids))
    if not wanted:
        return {}
    rows = connection.execute(
        select(CreditLineRow.__table__).where(CreditLineRow.line_id.in_(wanted))
    ).all()
    return {row.line_id: from_row(row) for row in rows}


class CreditLinesProjector:
    name = "lending.credit_lines"
    version = 3  # 2: postings carry their date; 3: interest checked against the accrual
    order = 40
    event_types = EVENT_TYPES
    tables = (CreditLineRow.__table__, CreditLinePosting.__table__, AlertRow.__table__,
              ConcentrationFlag.__table__)  # fmt: skip

    def apply(self, connection: Connection, entries: Sequence[LedgerEntry]) -> None:
        lines: dict[str, Line | None] = dict(
            read_lines(connection, (str(e.event.payload["line_id"]) for e in entries))
        )
        stored = set(lines)
        alerts = AlertBook(connection, (str(e.event.payload["lender"]) for e in entries))
        opened: dict[str, int] = {}
        touched: dict[str, int] = {}
        postings: list[dict[str, Any]] = []
        for entry in entries:
            event = entry.event
            line_id = str(event.payload["line_id"])
            before = lines.get(line_id)
            try:
                if event.type == "credit_line.interest_posted" and before is not None:
                    check_interest(connection, before, event.payload, event.occurred_at.date(),
                                   _pending(postings, line_id))  # fmt: skip
                line, posted = apply(before, event.type, event.payload, event.occurred_at.date())
            except LedgerError as exc:
                exc.seq = entry.seq
                raise
            lines[line_id] = line
            alerts.record(entry.seq, event.occurred_at, event.type, before, line,
                          sum(p.amount for p in posted))  # fmt: skip
            if event.type == "credit_line.opened":
                opened[line_id] = entry.seq
            touched[line_id] = entry.seq
            postings.extend({"seq": entry.seq, "component": p.component, "line_id": line_id,
                             "amount_minor": p.amount, "posted_on": event.occurred_at.date()}
                            for p in posted)  # fmt: skip
        new = [{**to_row(_live(lines, i)), "opened_seq": s, "updated_seq": touched[i]}
               for i, s in opened.items()]  # fmt: skip
        changed = [{**to_row(_live(lines, i)), "b_line_id": i, "updated_seq": s}
                   for i, s in touched.items() if i in stored]  # fmt: skip
        if new:
            connection.execute(insert(CreditLineRow), new)
        if changed:
            connection.execute(
                update(CreditLineRow).where(CreditLineRow.line_id == bindparam("b_line_id")),
                [{k: v for k, v in row.items() if k != "line_id"} for row in changed],
            )
        if postings:
            connection.execute(insert(CreditLinePosting), postings)
        alerts.write()


def _pending(postings: list[dict[str, Any]], line_id: str) -> list[Pending]:
    return [(p["component"], p["posted_on"], p["amount_minor"])
            for p in postings if p["line_id"] == line_id]  # fmt: skip


def _live(lines: dict[str, Line | None], line_id: str) -> Line:
    line = lines[line_id]
    assert line is not None
    return line


PROJECTOR = CreditLinesProjector()
