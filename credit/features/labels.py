"""Labels read from the ledger: default within the performance window after the as-of point.

Bad (1) is a facility declared in default, reported 90 or more days past due, or an
insolvency filing by the participant, in an entry after the as-of tree (``seq >=
tree_size``) that occurred within ``window_days`` of the as-of time. Participants already
bad at the as-of point leave the population. The simulation's ground truth is never read
here: it only checks these labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import orjson
import pandas as pd
from sqlalchemy import func, select

from credit.features.scan import FeatureTable
from ledger.log import Ledger
from ledger.storage.models import Entry

WINDOW_DAYS = 365
BAD_DPD = 90
OPENINGS = ("credit_line.opened", "loan.disbursed")
BAD_TYPES = (
    "credit_line.defaulted", "loan.defaulted", "credit_line.past_due", "loan.past_due",
    "insolvency.filed",
)  # fmt: skip


@dataclass(frozen=True)
class Labels:
    bad: dict[str, date]  # participant -> first bad day within the window
    window_end: datetime
    complete: bool  # the ledger reaches past the window's end


class LabelFold:
    """The pure part: fed the bodies after the as-of tree in order, keeps who went bad when."""

    types = frozenset(BAD_TYPES + OPENINGS)

    def __init__(self, table: FeatureTable, window_days: int = WINDOW_DAYS) -> None:
        self.end = table.as_of.at + timedelta(days=window_days)
        self.borrowers = dict(table.facilities)
        self.bad: dict[str, date] = {}

    def add(self, body: Mapping[str, Any]) -> None:
        etype, p = body["type"], body["payload"]
        if etype in OPENINGS:
            self.borrowers[str(p.get("line_id") or p.get("loan_id"))] = str(p["borrower"])
            return
        if etype not in self.types:
            return
        when = datetime.fromisoformat(body["occurred_at"])
        if when > self.end or (etype.endswith("past_due") and int(p["days_past_due"]) < BAD_DPD):
            return
        if etype == "insolvency.filed":
            who = str(p["debtor"])
        else:
            fid = str(p.get("line_id") or p.get("loan_id"))
            who = self.borrowers.get(fid) or str((body.get("subjects") or [""])[0])
        if who and (who not in self.bad or when.date() < self.bad[who]):
            self.bad[who] = when.date()


def read_labels(ledger: Ledger, table: FeatureTable, window_days: int = WINDOW_DAYS) -> Labels:
    """One query over the entries after the as-of tree, of the types that make a default."""
    fold = LabelFold(table, window_days)
    with ledger.reading() as connection:
        stmt = (
            select(Entry.canonical)
            .where(Entry.seq >= table.as_of.tree_size, Entry.type.in_(sorted(LabelFold.types)))
            .order_by(Entry.seq)
        )
        for (canonical,) in connection.execution_options(yield_per=2_000).execute(stmt):
            fold.add(orjson.loads(canonical))
        newest = connection.execute(select(func.max(Entry.occurred_at))).scalar_one()
    return Labels(fold.bad, fold.end, newest is not None and newest >= fold.end)


def population(
    table: FeatureTable, labels: Labels, roles: tuple[str, ...] = ("seller",)
) -> tuple[pd.DataFrame, np.ndarray]:
    """Features and 0/1 labels of the firms of ``roles`` not already bad at the as-of point."""
    keep = [
        p for p in table.frame.index if table.roles.get(p) in roles and p not in table.bad_before
    ]
    frame = table.frame.loc[keep]
    y = np.array([1 if p in labels.bad else 0 for p in keep], dtype=np.int64)
    return frame, y
