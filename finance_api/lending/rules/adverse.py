"""Adverse-action reasons in words, and the credit model's features mapped to reason codes.

An adverse-action notice (Regulation B, 12 CFR 1002.9) must state the *specific* principal
reasons; "you did not meet our standards" is not one. The decision engine picks at most
four of the ledger's reason codes (``ledger.core.event_types.credit.DECLINE_REASONS``);
here each code gets its sentence, and where the scorer named the feature that cost the
applicant the most points under that code, its own words ("Time on the platform: 40 days")
are added, so the notice says what in the applicant's record decided it.

``FEATURE_CODES`` maps the credit model's features to the codes: the engine needs codes,
the scorer speaks in features.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

WORDS: Mapping[str, str] = {
    "insufficient_history": "Not enough trading history on the ledger to assess",
    "low_revenue": "Sales too low for the amount asked",
    "late_deliveries": "Deliveries late or unconfirmed by the buyers",
    "delinquency": "Estimated risk of default above what this lender accepts",
    "prior_default": "A credit line or loan in default",
    "existing_exposure": "Credit already owed to this lender",
    "application_velocity": "Too many recent credit applications",
    "insufficient_collateral": "Collateral pledged to this lender worth less than asked",
    "policy": "Fraud checks or this lender's policy",
}

FEATURE_CODES: Mapping[str, str] = {
    "info_tenure_days": "insufficient_history",
    "info_orders_90d": "low_revenue",
    "info_order_value_90d": "low_revenue",
    "info_order_growth": "low_revenue",
    "info_repeat_buyer_share": "low_revenue",
    "log_on_time_share_180d": "late_deliveries",
    "log_delivery_confirmed_share": "late_deliveries",
    "log_dispatch_delay_days_90d": "late_deliveries",
    "fin_paid_days_late_180d": "delinquency",
    "fin_max_dpd_180d": "delinquency",
    "fin_past_due_180d": "delinquency",
    "fin_late_fees_180d": "delinquency",
    "fin_prior_defaults": "prior_default",
    "fin_balance": "existing_exposure",
    "fin_utilisation": "existing_exposure",
    "fin_facilities_open": "existing_exposure",
    "fin_applications_7d": "application_velocity",
    "fin_applications_90d": "application_velocity",
    "fin_declines_90d": "application_velocity",
    "fin_margin_calls_180d": "insufficient_collateral",
}


def in_words(codes: Sequence[str], scorer_reasons: Sequence[Mapping[str, Any]] = ()
             ) -> list[dict[str, str]]:  # fmt: skip
    """Each code with its sentence, and the scorer's costliest words under that code."""
    ranked = sorted(scorer_reasons, key=lambda r: int(r.get("rank", 0)))
    specific: dict[str, str] = {}
    for reason in ranked:
        code = FEATURE_CODES.get(str(reason.get("feature")))
        if code is not None and reason.get("text"):
            specific.setdefault(code, str(reason["text"]))
    out = []
    for code in codes:
        text = WORDS.get(code, code)
        if code in specific:
            text = f"{text} ({specific[code]})"
        out.append({"code": code, "text": text[:300]})
    return out
