"""The ``lending.scores`` projection: the newest ``credit.score_issued`` per recipient and
subject, so decisions and expected losses use the score a lender was actually shown.

A later entry replaces an earlier one (a score is superseded, never edited), and raises a
``score_drop`` alert to the recipient when it is well below the one before it. Batched: one
read of the pairs a batch touches, then inserts and an executemany of updates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from finance_api.lending.alert_tables import ScoreAlertRow
from finance_api.lending.keyed import Keyed
from finance_api.lending.rules.alerts import score_drop
from finance_api.lending.score_tables import ShownScore
from ledger.core.entry import LedgerEntry

# built once: every score shown (a lender's read) is projected here in its append
_SHOWN = Keyed(
    select(ShownScore.recipient, ShownScore.subject, ShownScore.score, ShownScore.pd_ppm),
    (ShownScore.recipient, ShownScore.subject),
)
_REPLACE = update(ShownScore).where(
    ShownScore.recipient == bindparam("b_recipient"),
    ShownScore.subject == bindparam("b_subject"),
)
_NEW_SCORE = insert(ShownScore)
_NEW_ALERT = insert(ScoreAlertRow)


def _row(entry: LedgerEntry) -> dict[str, Any]:
    p = entry.event.payload
    return {"recipient": str(p["recipient"]), "subject": str(p["subject"]),
            "score_id": str(p["score_id"]), "score": int(p["score"]), "pd_ppm": int(p["pd_ppm"]),
            "grade": str(p["grade"]), "model_version": str(p["model_version"]),
            "tree_size": int(p["tree_size"]), "root_hash": str(p["root_hash"]),
            "seq": entry.seq}  # fmt: skip


class ScoresProjector:
    name = "lending.scores"
    version = 2  # 2: score-drop alerts
    order = 35
    event_types = frozenset({"credit.score_issued"})
    tables = (ShownScore.__table__, ScoreAlertRow.__table__)

    def apply(self, connection: Connection, entries: Sequence[LedgerEntry]) -> None:
        rows = [_row(entry) for entry in entries]
        keys = sorted({(r["recipient"], r["subject"]) for r in rows})
        last: dict[tuple[str, str], tuple[int, int]] = {
            (r, s): (score, pd) for r, s, score, pd in _SHOWN.rows(connection, keys)
        }  # fmt: skip
        stored = set(last)
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        alerts: list[dict[str, Any]] = []
        for entry, row in zip(entries, rows, strict=True):
            key = (row["recipient"], row["subject"])
            drop = score_drop(last.get(key), row["score"], row["pd_ppm"], *key)
            if drop is not None:
                alerts.append({"seq": entry.seq, "kind": drop.kind, "subject": drop.subject,
                               "lender": drop.lender, "borrower": drop.borrower,
                               "severity": drop.severity, "detail": dict(drop.detail),
                               "occurred_at": entry.event.occurred_at})  # fmt: skip
            last[key] = (row["score"], row["pd_ppm"])
            latest[key] = row
        new = [row for key, row in latest.items() if key not in stored]
        old = [{**row, "b_recipient": row["recipient"], "b_subject": row["subject"]}
               for key, row in latest.items() if key in stored]  # fmt: skip
        if new:
            connection.execute(_NEW_SCORE, new)
        if old:
            connection.execute(
                _REPLACE,
                [{k: v for k, v in row.items() if k not in ("recipient", "subject")}
                 for row in old],
            )  # fmt: skip
        if alerts:
            connection.execute(_NEW_ALERT, alerts)


PROJECTOR = ScoresProjector()
