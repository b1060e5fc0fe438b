"""The ledger features: names, flows, and words a borrower understands.

Every feature is computed for every participant at an as-of checkpoint (a tree size) from
the entries in that tree alone, and belongs to one of the three flows, so an ablation can
drop a flow by dropping its columns. The schema hash (:data:`FEATURE_SCHEMA_HASH`) is what
a saved model is checked against: a model fitted on other features is refused. A change of
a feature's definition renames it (the hash then changes with it).
"""

from __future__ import annotations

from dataclasses import dataclass

from credit.schema import FeatureKind, FeatureSchema, FeatureSpec

FLOWS = ("information", "logistics", "finance")
RECENT_DAYS = 90
HALF_YEAR_DAYS = 180
MATURE_DAYS = 7
"""A claim younger than this at the as-of point is left out of confirmed shares: its
counterparty has had no time to answer yet."""


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    flow: str
    description: str  # a reason line, formatted with the participant's value


FEATURES: tuple[Feature, ...] = (
    Feature("info_tenure_days", "information", "Time on the platform: {value:.0f} days"),
    Feature("info_orders_90d", "information", "Orders received in the last 90 days: {value:.0f}"),
    Feature("info_order_value_90d", "information", "Orders worth (90 days): ${value:,.0f}"),
    Feature("info_order_growth", "information", "Orders against the 90 days before: {value:.2f}x"),
    Feature("info_repeat_buyer_share", "information", "Buyers who ordered again: {value:.0%}"),
    Feature("info_cancel_rate_90d", "information", "Orders cancelled (90 days): {value:.0%}"),
    Feature("info_review_mean_180d", "information", "Average review (180 days): {value:.1f} of 5"),
    Feature("info_dispute_rate_180d", "information", "Orders disputed (180 days): {value:.0%}"),
    Feature("info_invoice_confirmed_share", "information",
            "Invoices confirmed by the buyer: {value:.0%}"),
    Feature("info_invoice_rejected_180d", "information",
            "Invoices rejected by the buyer (180 days): {value:.0f}"),
    Feature("info_orders_placed_90d", "information", "Orders placed (90 days): {value:.0f}"),
    Feature("log_shipments_90d", "logistics", "Shipments in the last 90 days: {value:.0f}"),
    Feature("log_on_time_share_180d", "logistics", "Deliveries on time (180 days): {value:.0%}"),
    Feature("log_delivery_confirmed_share", "logistics",
            "Deliveries confirmed by the consignee: {value:.0%}"),
    Feature("log_customs_hold_rate_180d", "logistics",
            "Customs declarations held (180 days): {value:.0%}"),
    Feature("log_goods_lost_180d", "logistics", "Losses of goods reported (180 days): {value:.0f}"),
    Feature("log_dispatch_delay_days_90d", "logistics",
            "Days from accepting an order to shipping it: {value:.1f}"),
    Feature("log_stock_units", "logistics", "Units held in warehouses: {value:,.0f}"),
    Feature("log_turnover_90d", "logistics", "Units packed per unit held (90 days): {value:.2f}"),
    Feature("fin_received_late_share_180d", "finance",
            "Customer payments received late (180 days): {value:.0%}"),
    Feature("fin_paid_days_late_180d", "finance",
            "Days beyond terms on invoices paid (180 days): {value:.1f}"),
    Feature("fin_paid_confirmed_share", "finance", "Payments confirmed by the payee: {value:.0%}"),
    Feature("fin_facilities_open", "finance", "Credit facilities open: {value:.0f}"),
    Feature("fin_balance", "finance", "Balance owed to lenders: ${value:,.0f}"),
    Feature("fin_utilisation", "finance", "Credit used of the limits granted: {value:.0%}"),
    Feature("fin_repaid_180d", "finance", "Repaid to lenders (180 days): ${value:,.0f}"),
    Feature("fin_max_dpd_180d", "finance", "Most days past due (180 days): {value:.0f}"),
    Feature("fin_past_due_180d", "finance", "Past-due reports (180 days): {value:.0f}"),
    Feature("fin_late_fees_180d", "finance", "Late-payment fees (180 days): {value:.0f}"),
    Feature("fin_prior_defaults", "finance", "Earlier defaults: {value:.0f}"),
    Feature("fin_pledged_receipts", "finance", "Warehouse receipts pledged now: {value:.0f}"),
    Feature("fin_margin_calls_180d", "finance", "Margin calls (180 days): {value:.0f}"),
    Feature("fin_applications_90d", "finance", "Credit applications (90 days): {value:.0f}"),
    Feature("fin_applications_7d", "finance", "Credit applications (7 days): {value:.0f}"),
    Feature("fin_declines_90d", "finance", "Applications declined (90 days): {value:.0f}"),
)  # fmt: skip

NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
FEATURE_SCHEMA = FeatureSchema(tuple(FeatureSpec(f.name, FeatureKind.NUMERIC) for f in FEATURES))
FEATURE_SCHEMA_HASH = FEATURE_SCHEMA.sha256
DESCRIPTIONS: dict[str, str] = {f.name: f.description for f in FEATURES}


def names_of(flows: tuple[str, ...] | list[str]) -> list[str]:
    """The features of the given flows, in catalogue order."""
    unknown = set(flows) - set(FLOWS)
    if unknown:
        raise ValueError(f"unknown flows: {sorted(unknown)}")
    return [f.name for f in FEATURES if f.flow in flows]
