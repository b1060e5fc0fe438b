"""A lender's concentration over its whole book: credit lines and receipt loans together, on
one debtor, warehouse, commodity or country, per currency, for ``GET /v1/risk/exposure``.

Lines count at their EAD (as the rest of the exposure report has them); receipt loans at
what they owe, tied to the warehouses of the receipts pledged for them (split pro rata to
the quantities) and to their commodity, as the ``lending.risk`` projection keeps them.
Countries are the debtors' registered ones. Two queries beside the portfolio's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, select

from finance_api.lending.risk_tables import RiskExposureRow
from finance_api.lending.rules.exposure import LineRisk
from finance_api.lending.rules.risk import DIMENSIONS, Exposure, by_dimension, ranked
from ledger.storage.models import Participant


@dataclass(frozen=True, slots=True)
class Concentration:
    currency: str
    dimension: str
    name: str
    exposure: int
    share_bp: int
    over: bool


def concentration(connection: Connection, lender: str, lines: Iterable[LineRisk],
                  threshold_bp: int, top: int = 10) -> list[Concentration]:  # fmt: skip
    """Each currency's largest shares per dimension, largest first; ``over`` when a share
    is above ``threshold_bp`` of that currency's book."""
    t = RiskExposureRow
    loans = connection.execute(
        select(t.source, t.currency, t.debtor, t.commodity, t.warehouses, t.amount_minor)
        .where(t.lender == lender, t.source.like("loan:%"), t.amount_minor > 0)
        .order_by(t.source)
    ).all()  # fmt: skip
    lines = list(lines)
    debtors = sorted({r.borrower for r in lines} | {str(r.debtor) for r in loans})
    countries = dict(connection.execute(
        select(Participant.id, Participant.country).where(Participant.id.in_(debtors))
    ).all()) if debtors else {}  # fmt: skip
    books: dict[str, list[Exposure]] = {}
    for r in lines:
        country = countries.get(r.borrower) or "unknown"
        books.setdefault(r.currency, []).append(Exposure(r.line_id, r.borrower, country, r.ead))
    for row in loans:
        debtor = str(row.debtor)
        books.setdefault(row.currency, []).append(Exposure(
            row.source, debtor, countries.get(debtor) or "unknown", int(row.amount_minor),
            row.commodity, dict(row.warehouses)))  # fmt: skip
    out = []
    for currency, book in sorted(books.items()):
        total = sum(e.amount for e in book if e.amount > 0)
        shares = by_dimension(book)
        for dimension in DIMENSIONS:
            for name, amount, share in ranked(shares[dimension], total)[:top]:
                over = amount * 10_000 > threshold_bp * total
                out.append(Concentration(currency, dimension, name, amount, share, over))
    return out
