"""Risk-monitor alerts on warehouse-receipt loans and on a lender's whole book.

A receipt loan raises an alert when its LTV moves into a worse band: over the advance rate
(a limit breach: more is owed than the collateral supports at origination terms), past the
margin-call point, past the liquidation point; and when it comes back below the margin-call
point (the call is cleared, by a cure, a top-up or a price). Days past due on a loan alert
on entering a worse bucket, as on a line. A stock reconciliation failure the receipts
projection finds (a count below the live receipts, a count that disagrees with the book, a
loss that leaves receipts uncovered) alerts every lender holding a pledged receipt on that
lot, once per receipt. Concentration: a lender's exposure (lines and loans together, per
currency) on one debtor, warehouse, commodity or country over ``share_bp`` of its book
raises an alert when a change pushes it over, again only after it fell back below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from finance_api.domain.collateral import BANDS
from finance_api.lending.rules.alerts import SEVERITY, Alert, ConcentrationPolicy
from finance_api.lending.rules.delinquency import BUCKETS, bucket

LTV_KINDS = {"over_advance": "limit_breach", "margin_call": "ltv_margin_call",
             "liquidation": "ltv_liquidation"}  # fmt: skip
STOCK_SEVERITY = {"count_below_receipts": "critical", "stock_below_receipts": "critical",
                  "count_differs_from_book": "medium"}  # fmt: skip
KINDS = ("ltv_margin_call", "ltv_liquidation", "ltv_cleared", *STOCK_SEVERITY,
         "exposure_concentration")  # fmt: skip
DIMENSIONS = ("debtor", "warehouse", "commodity", "country")
_RANK = {name: i for i, name in enumerate(BANDS)}


@dataclass(frozen=True, slots=True)
class LtvMove:
    """A loan's LTV band before and after one entry, with the figures behind it."""

    loan_id: str
    lender: str
    borrower: str
    band_from: str | None  # None: the loan had no LTV (new, or unsecured)
    band: str
    ltv_bp: int
    owed_minor: int
    value_minor: int
    quantity_milli: int
    price_minor: int | None
    points: Mapping[str, int]  # advance_bp, margin_call_bp, liquidation_bp


def ltv_alerts(move: LtvMove) -> list[Alert]:
    was, now = _RANK.get(move.band_from or BANDS[0], 0), _RANK[move.band]
    detail: dict[str, int | str] = {
        "product": "receipt_loan", "loan_id": move.loan_id, "ltv_bp": move.ltv_bp,
        "owed_minor": move.owed_minor, "collateral_value_minor": move.value_minor,
        "quantity_milli": move.quantity_milli, "band": move.band,
        "previous_band": move.band_from or "none", **move.points,
    }  # fmt: skip
    if move.price_minor is not None:
        detail["price_minor"] = move.price_minor
    call = _RANK["margin_call"]
    if now > was:
        kind = LTV_KINDS[move.band]
        severity = {"limit_breach": "medium", "ltv_margin_call": "high"}.get(kind, "critical")
    elif was >= call > now:
        kind, severity = "ltv_cleared", "low"
    else:
        return []
    return [Alert(kind, move.loan_id, move.lender, move.borrower, severity, detail)]


def loan_dpd_alert(loan_id: str, lender: str, borrower: str, before: int, dpd: int,
                   arrears_minor: int) -> Alert | None:  # fmt: skip
    """An alert when a receipt loan enters a worse days-past-due bucket."""
    was, now = bucket(before), bucket(dpd)
    if BUCKETS.index(now) <= BUCKETS.index(was):
        return None
    return Alert("days_past_due", loan_id, lender, borrower, SEVERITY[now],
                 {"product": "receipt_loan", "loan_id": loan_id, "days_past_due": dpd,
                  "bucket": now, "arrears_minor": arrears_minor})  # fmt: skip


@dataclass(frozen=True, slots=True)
class StockFinding:
    """One of the receipts projection's reconciliation findings, seen from one pledged
    receipt on the lot."""

    finding: str
    warehouse_id: str
    lot_id: str
    held_milli: int
    covered_milli: int
    counted_milli: int | None


def stock_alert(found: StockFinding, receipt_id: str, lender: str, holder: str,
                receipt_live_milli: int, loan_id: str | None) -> Alert:  # fmt: skip
    seen = found.held_milli if found.counted_milli is None else found.counted_milli
    detail: dict[str, int | str] = {
        "receipt_id": receipt_id, "warehouse_id": found.warehouse_id, "lot_id": found.lot_id,
        "held_milli": found.held_milli, "covered_milli": found.covered_milli,
        "receipt_live_milli": receipt_live_milli,
        "shortfall_milli": max(0, found.covered_milli - seen),
    }  # fmt: skip
    if found.counted_milli is not None:
        detail["counted_milli"] = found.counted_milli
    if loan_id is not None:
        detail["loan_id"] = loan_id
    severity = STOCK_SEVERITY[found.finding]
    return Alert(found.finding, receipt_id, lender, holder, severity, detail)


@dataclass(frozen=True, slots=True)
class Exposure:
    """One line or loan of a book: what it is owed (or its EAD) and what it is tied to."""

    source: str
    debtor: str
    country: str
    amount: int
    commodity: str | None = None
    warehouses: Mapping[str, int] = field(default_factory=dict)  # name -> weight


def by_dimension(exposures: Iterable[Exposure]) -> dict[str, dict[str, int]]:
    """Each dimension's amounts by name; a loan on receipts in several warehouses is split
    pro rata to the quantities pledged there (rounded down). Lines have no warehouse or
    commodity: they count in the book, not in those shares."""
    out: dict[str, dict[str, int]] = {d: {} for d in DIMENSIONS}

    def add(dimension: str, name: str, amount: int) -> None:
        if amount > 0:
            out[dimension][name] = out[dimension].get(name, 0) + amount

    for e in exposures:
        add("debtor", e.debtor, e.amount)
        add("country", e.country, e.amount)
        if e.commodity is not None:
            add("commodity", e.commodity, e.amount)
        weight = sum(w for w in e.warehouses.values() if w > 0)
        for name, w in sorted(e.warehouses.items()):
            if w > 0:
                add("warehouse", name, e.amount * w // weight)
    return out


def ranked(amounts: Mapping[str, int], book: int) -> list[tuple[str, int, int]]:
    """(name, amount, share in bp of ``book``, rounded down), largest first."""
    rows = sorted(amounts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(name, v, v * 10_000 // book if book else 0) for name, v in rows]


def concentration_alerts(
    lender: str, currency: str, exposures: Iterable[Exposure], flagged: set[tuple[str, str]],
    policy: ConcentrationPolicy = ConcentrationPolicy(),
) -> list[Alert]:  # fmt: skip
    """Alerts for (dimension, name) shares that just went over ``policy.share_bp`` of the
    book; ``flagged`` (the shares over it already) is updated in place."""
    mine = [e for e in exposures if e.amount > 0]
    book = sum(e.amount for e in mine)
    debtors = len({e.debtor for e in mine})
    out = []
    for dimension, amounts in by_dimension(mine).items():
        for name, amount, share in ranked(amounts, book):
            key = (dimension, name)
            if debtors < policy.min_borrowers or amount * 10_000 <= policy.share_bp * book:
                flagged.discard(key)
            elif key not in flagged:
                flagged.add(key)
                out.append(Alert("exposure_concentration", f"{dimension}:{name}"[:200], lender,
                                 name if dimension == "debtor" else "", "high",
                                 {"dimension": dimension, "name": name, "currency": currency,
                                  "share_bp": share, "exposure_minor": amount,
                                  "book_minor": book,
                                  "threshold_bp": policy.share_bp}))  # fmt: skip
        for key in [k for k in flagged if k[0] == dimension and k[1] not in amounts]:
            flagged.discard(key)
    return out
