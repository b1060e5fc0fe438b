"""One participant's running counts during the feature pass, and its feature vector.

The pass knows its as-of time before it starts, so each event lands straight in the
windows it belongs to (last 7, 90, 180 days, or 90 to 180 days back): the state is a few
counters per participant, not a list of its events, and memory grows with participants
and open items, not with the ledger.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from credit.features.catalogue import NAMES
from credit.features.stamps import timestamp

NAN = math.nan


@dataclass(slots=True)
class Facility:
    """A credit line or loan as the ledger shows it: drawn + interest + fees - repaid."""

    borrower: str
    limit: int
    balance: int = 0
    open: bool = True


class Claim:
    """A kind of claim the pass follows (an invoice, a payment, a delivery), and the
    counters the answers to it go to."""

    __slots__ = ("confirmed", "kind", "rejected")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.confirmed = f"{kind}_confirmed"
        self.rejected = f"{kind}_rejected"

    def __reduce__(self) -> tuple[object, tuple[str]]:
        """Unpickled as the one object of its kind (a fold from another process still
        tells an invoice by ``is INVOICE``)."""
        return claim_kind, (self.kind,)


INVOICE, PAYMENT, DELIVERY = Claim("inv"), Claim("paid"), Claim("deliv")
_KINDS = {c.kind: c for c in (INVOICE, PAYMENT, DELIVERY)}


def claim_kind(kind: str) -> Claim:
    """The claim kind named ``kind`` (``inv``, ``paid``, ``deliv``)."""
    return _KINDS[kind]


MAXIMA = frozenset({"dpd_max_180"})
"""The counters that keep a maximum, not a sum."""


@dataclass(slots=True)
class Party:
    role: str = ""
    first: str | None = None  # the time of its first act (27-character form)
    c: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    buyers: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))  # orders
    stock: dict[tuple[str, str], float] = field(default_factory=dict)
    pledged: set[str] = field(default_factory=set)

    def seen(self, occ: str) -> None:
        if self.first is None or occ < self.first:
            self.first = occ

    def absorb(self, other: Party) -> None:
        """Take in the same participant's counts from a fold over other types. Each counter
        is written by one fold alone (see :meth:`Fold.absorb`), so a count is taken as it is
        (a sum would still do, as would a maximum for the maxima); tenure is the earlier
        first act."""
        self.role = self.role or other.role
        if other.first is not None:
            self.seen(other.first)
        c = self.c
        for key, value in other.c.items():
            if key not in c:
                c[key] = value
            else:
                c[key] = max(c[key], value) if key in MAXIMA else c[key] + value
        for buyer, n in other.buyers.items():
            self.buyers[buyer] += n
        self.stock.update(other.stock)
        self.pledged |= other.pledged

    def vector(self, as_of_ts: float, facilities: list[Facility]) -> dict[str, float]:
        """The catalogue's features, NaN where a ratio has nothing to divide by."""
        c = self.c
        stock = float(sum(self.stock.values()))
        limit = sum(f.limit for f in facilities if f.open)
        balance = sum(max(f.balance, 0) for f in facilities if f.open)
        repeat = sum(1 for n in self.buyers.values() if n > 1)
        values = {
            "info_tenure_days": (
                NAN if self.first is None else (as_of_ts - timestamp(self.first)) / 86_400
            ),
            "info_orders_90d": c["orders_90"],
            "info_order_value_90d": c["value_90"] / 100,
            "info_order_growth": _ratio(c["orders_90"], c["orders_90_180"]),
            "info_repeat_buyer_share": _ratio(repeat, len(self.buyers)),
            "info_cancel_rate_90d": _ratio(c["cancels_90"], c["orders_90"]),
            "info_review_mean_180d": _ratio(c["review_sum_180"], c["review_n_180"]),
            "info_dispute_rate_180d": _ratio(c["disputes_180"], c["orders_180"]),
            "info_invoice_confirmed_share": _ratio(c["inv_confirmed"], c["inv_mature"]),
            "info_invoice_rejected_180d": c["inv_rejected_180"],
            "info_orders_placed_90d": c["placed_90"],
            "log_shipments_90d": c["ship_90"],
            "log_on_time_share_180d": _ratio(c["ontime_180"], c["deliv_180"]),
            "log_delivery_confirmed_share": _ratio(c["deliv_confirmed"], c["deliv_mature"]),
            "log_customs_hold_rate_180d": _ratio(c["held_180"], c["decl_180"]),
            "log_goods_lost_180d": c["lost_180"],
            "log_dispatch_delay_days_90d": _ratio(c["delay_sum_90"], c["delay_n_90"]),
            "log_stock_units": stock,
            "log_turnover_90d": c["packed_90"] / (stock + 1.0),
            "fin_received_late_share_180d": _ratio(c["recv_late_180"], c["recv_180"]),
            "fin_paid_days_late_180d": _ratio(c["paid_late_days_180"], c["paid_180"]),
            "fin_paid_confirmed_share": _ratio(c["paid_confirmed"], c["paid_mature"]),
            "fin_facilities_open": sum(1 for f in facilities if f.open),
            "fin_balance": balance / 100,
            "fin_utilisation": _ratio(balance, limit),
            "fin_repaid_180d": c["repaid_180"] / 100,
            "fin_max_dpd_180d": c["dpd_max_180"],
            "fin_past_due_180d": c["past_due_180"],
            "fin_late_fees_180d": c["late_fees_180"],
            "fin_prior_defaults": c["defaults"],
            "fin_pledged_receipts": len(self.pledged),
            "fin_margin_calls_180d": c["margin_180"],
            "fin_applications_90d": c["apps_90"],
            "fin_applications_7d": c["apps_7"],
            "fin_declines_90d": c["declines_90"],
        }
        return {name: float(values[name]) for name in NAMES}


def usd(money: Any) -> int:
    """Minor units of a USD amount; other currencies add nothing to sums (counts still)."""
    if (type(money) is dict or isinstance(money, Mapping)) and money.get("currency") == "USD":
        return int(money.get("amount_minor", 0))
    return 0


def _ratio(num: float, den: float) -> float:
    return num / den if den else NAN
