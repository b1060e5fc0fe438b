"""A lender's portfolio as read models give it: lines, the PDs it was shown, EAD and EL, and
concentration by borrower and by the borrowers' registered countries.

Financed receivables count too: each open financing's advance still out is an exposure on
its debtor (the buyer who must pay), at the PD the lender was shown of the debtor; it is in
the totals and in the concentration by borrower (the debtor's name) and country, and listed
apart in ``receivables`` (its ``line_id`` is the financing id).

One snapshot, four queries whatever the size of the book: the lender's lines, the latest
scores shown to it (``lending.scores``), and the registered countries of its borrowers.
A borrower the lender was shown no score of is taken at ``unscored_pd_ppm`` (certain
default unless told otherwise: the conservative reading). The scores also answer the
decision engine's :class:`~finance_api.lending.rules.policy.Assessment` protocol.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from finance_api.lending.line_projector import from_row
from finance_api.lending.line_tables import CreditLineRow
from finance_api.lending.receivable_tables import ReceivableFinancing
from finance_api.lending.rules.exposure import (
    ExposureSettings,
    LenderRisk,
    LineRisk,
    by_lender,
    expected_loss,
    line_risks,
)
from finance_api.lending.rules.lines import Line
from finance_api.lending.rules.policy import FixedAssessment
from finance_api.lending.score_tables import ShownScore
from ledger.storage.models import Participant


def shown_scores(connection: Connection, recipient: str,
                 subjects: Iterable[str] | None = None) -> dict[str, FixedAssessment]:  # fmt: skip
    """The latest score ``recipient`` was shown of each subject, as assessments."""
    query = select(ShownScore).where(ShownScore.recipient == recipient)
    if subjects is not None:
        query = query.where(ShownScore.subject.in_(sorted(set(subjects))))
    return {
        row.subject: FixedAssessment(
            row.pd_ppm, row.score, (), row.model_version, (row.tree_size, row.root_hash)
        )
        for row in connection.execute(query.with_only_columns(*ShownScore.__table__.c))
    }


@dataclass(frozen=True, slots=True)
class Share:
    name: str
    ead: int
    share_bp: int


@dataclass(frozen=True, slots=True)
class Portfolio:
    lender: str
    lines: list[LineRisk]
    totals: list[LenderRisk]
    by_borrower: list[Share]
    by_country: list[Share]
    receivables: list[LineRisk] = field(default_factory=list)


def _shares(amounts: dict[str, int], limit: int) -> list[Share]:
    total = sum(amounts.values())
    ranked = sorted(amounts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [Share(name, ead, ead * 10_000 // total if total else 0) for name, ead in ranked]


def portfolio(connection: Connection, lender: str, settings: ExposureSettings,
              unscored_pd_ppm: int = 1_000_000, top: int = 10) -> Portfolio:  # fmt: skip
    rows = connection.execute(
        select(CreditLineRow.__table__).where(CreditLineRow.lender == lender)
        .order_by(CreditLineRow.line_id)
    ).all()  # fmt: skip
    lines: list[Line] = [from_row(row) for row in rows]
    owed = _receivables(connection, lender)
    borrowers = {line.borrower for line in lines} | {debtor for _, debtor, _, _ in owed}
    pds = {s: a.pd_ppm for s, a in shown_scores(connection, lender, borrowers).items()}
    pds.update({b: unscored_pd_ppm for b in borrowers - set(pds)})
    countries = dict(connection.execute(
        select(Participant.id, Participant.country).where(Participant.id.in_(sorted(borrowers)))
    ).all())  # fmt: skip
    risks = line_risks(lines, pds, settings)
    financed = [LineRisk(fid, lender, debtor, currency, out, pds[debtor],
                         expected_loss(pds[debtor], settings.lgd_bp, out))
                for fid, debtor, currency, out in owed]  # fmt: skip
    per_borrower: dict[str, int] = {}
    per_country: dict[str, int] = {}
    for risk in [*risks, *financed]:
        per_borrower[risk.borrower] = per_borrower.get(risk.borrower, 0) + risk.ead
        country = countries.get(risk.borrower) or "unknown"
        per_country[country] = per_country.get(country, 0) + risk.ead
    return Portfolio(lender, risks, by_lender([*risks, *financed]), _shares(per_borrower, top),
                     _shares(per_country, top), financed)  # fmt: skip


def _receivables(connection: Connection, lender: str) -> list[tuple[str, str, str, int]]:
    """(financing id, debtor, currency, advance still out) of the lender's open financings."""
    table = ReceivableFinancing.__table__
    out = table.c.advanced - table.c.collected - table.c.recourse_paid
    rows = connection.execute(
        select(table.c.financing_id, table.c.debtor, table.c.currency, out)
        .where(table.c.lender == lender, table.c.status == "open", out > 0)
        .order_by(table.c.financing_id)
    ).all()  # fmt: skip
    return [(str(f), str(d), str(c), int(o)) for f, d, c, o in rows]
