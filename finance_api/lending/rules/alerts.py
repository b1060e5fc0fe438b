"""Risk-monitor alerts from what a lender act did to a line, and from a lender's book.

A line raises an alert when it enters a worse days-past-due bucket, when its balance goes
over its limit (interest and fees can take it there), when it is frozen and when it
defaults. A lender's book raises a concentration alert when one borrower's share of what
the lender is owed crosses ``share_bp`` (25% by default, the large-exposure limit's
figure) in a book of at least ``min_borrowers`` borrowers; it is raised again only after the
share has fallen back below. A score shown to a lender that is well below the last one it
was shown of that borrower is a score drop. Each alert is evaluated entry by entry, so a
replay of the log in any batching raises the same alerts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from finance_api.lending.errors import InvalidSetting
from finance_api.lending.rules.delinquency import BUCKETS, bucket
from finance_api.lending.rules.lines import Line

SEVERITY = {"1-29": "low", "30-59": "medium", "60-89": "high", "90+": "critical"}
KINDS = (
    "days_past_due",
    "limit_breach",
    "line_frozen",
    "line_defaulted",
    "concentration",
    "score_drop",
)


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str
    subject: str  # the line, or the borrower for a concentration
    lender: str
    borrower: str
    severity: str
    detail: Mapping[str, int | str] = field(default_factory=dict)


def line_alerts(before: Line | None, after: Line, etype: str) -> list[Alert]:
    out: list[Alert] = []

    def alert(kind: str, severity: str, **detail: int | str) -> None:
        out.append(Alert(kind, after.line_id, after.lender, after.borrower, severity, detail))

    was = bucket(before.days_past_due) if before is not None else "current"
    now = bucket(after.days_past_due)
    if BUCKETS.index(now) > BUCKETS.index(was):
        alert("days_past_due", SEVERITY[now], days_past_due=after.days_past_due, bucket=now,
              arrears_minor=after.arrears)  # fmt: skip
    over_before = before is not None and before.balance > before.limit
    if after.balance > after.limit and not over_before:
        alert("limit_breach", "medium", balance_minor=after.balance, limit_minor=after.limit)
    if etype == "credit_line.frozen":
        alert("line_frozen", "medium", reason=after.freeze_reason or "")
    if etype == "credit_line.defaulted":
        alert("line_defaulted", "critical", amount_minor=after.defaulted_amount)
    return out


@dataclass(frozen=True, slots=True)
class ConcentrationPolicy:
    share_bp: int = 2_500
    min_borrowers: int = 4

    def __post_init__(self) -> None:
        if not 0 < self.share_bp <= 10_000 or self.min_borrowers < 1:
            raise InvalidSetting("share within 1..10000 bp, at least one borrower",
                                 field="concentration")  # fmt: skip


def concentration(
    lender: str, book: Mapping[str, int], flagged: set[str],
    policy: ConcentrationPolicy = ConcentrationPolicy(),
) -> list[Alert]:  # fmt: skip
    """Alerts for borrowers whose share of ``book`` (borrower -> owed) just crossed the
    threshold; ``flagged`` (borrowers over it already) is updated in place."""
    total = sum(v for v in book.values() if v > 0)
    borrowers = sum(1 for v in book.values() if v > 0)
    out = []
    for borrower in sorted(book):
        owed = max(0, book[borrower])
        over = (borrowers >= policy.min_borrowers and total > 0
                and owed * 10_000 > policy.share_bp * total)  # fmt: skip
        if over and borrower not in flagged:
            flagged.add(borrower)
            out.append(Alert("concentration", borrower, lender, borrower, "high",
                             {"share_bp": owed * 10_000 // total, "owed_minor": owed,
                              "book_minor": total}))  # fmt: skip
        elif not over:
            flagged.discard(borrower)
    return out


@dataclass(frozen=True, slots=True)
class ScoreDropPolicy:
    """A score drop: ``points`` fewer (20 is one PDO: the odds of paying halve), or the PD
    ``pd_ratio`` times what it was or more."""

    points: int = 20
    pd_ratio: float = 2.0


def score_drop(
    previous: tuple[int, int] | None, score: int, pd_ppm: int, lender: str, borrower: str,
    policy: ScoreDropPolicy = ScoreDropPolicy(),
) -> Alert | None:  # fmt: skip
    """An alert when the score ``lender`` was shown of ``borrower`` fell against the last one
    (``previous``: its score and PD)."""
    if previous is None:
        return None
    old_score, old_pd = previous
    doubled = old_pd > 0 and pd_ppm >= policy.pd_ratio * old_pd
    if old_score - score < policy.points and not doubled:
        return None
    return Alert("score_drop", borrower, lender, borrower, "high" if doubled else "medium",
                 {"score": score, "previous_score": old_score, "pd_ppm": pd_ppm,
                  "previous_pd_ppm": old_pd})  # fmt: skip
