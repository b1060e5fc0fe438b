"""What happened in a month, counted as the simulation runs (for scenarios and sanity)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(slots=True)
class MonthMetrics:
    """Counters for one month; money in cents."""

    month: str
    active_sellers: int = 0
    orders: int = 0
    orders_cancelled: int = 0
    gmv_minor: int = 0
    payments: int = 0
    payments_late: int = 0
    days_late_total: int = 0
    nonpayments: int = 0
    deliveries: int = 0
    deliveries_on_time: int = 0
    customs_declarations: int = 0
    customs_holds: int = 0
    shipments_lost: int = 0
    disputes: int = 0
    applications: int = 0
    lines_opened: int = 0
    credit_drawn_minor: int = 0
    receipt_loans: int = 0
    receipt_loan_minor: int = 0
    margin_calls: int = 0
    liquidations: int = 0
    past_due_events: int = 0
    defaults: int = 0
    defaulted_sellers: int = 0
    default_exposure_minor: int = 0
    recoveries_minor: int = 0
    losses_minor: int = 0
    distressed: int = 0  # sellers in distress this month (hidden)
    insolvencies: int = 0
    interest_minor: int = 0
    failures: int = 0
    absconded: int = 0
    borrowers: int = 0  # sellers with an open facility at the start of the month
    exposure_minor: int = 0  # outstanding at the month end
    events: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
