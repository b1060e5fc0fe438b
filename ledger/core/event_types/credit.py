"""Credit decisions (in the finance flow): applications, and a lender's decision with reasons."""

from __future__ import annotations

from functools import partial

from ledger.core.event_types.common import ID, MONEY, UUID, obj
from ledger.core.event_types.spec import EventType, Schema, declare

FLOW = "finance"
_t = partial(declare, FLOW)

DECLINE_REASONS = (
    "insufficient_history",
    "low_revenue",
    "late_deliveries",
    "delinquency",
    "prior_default",
    "existing_exposure",
    "application_velocity",
    "insufficient_collateral",
    "policy",
)
"""Reason codes a lender gives for a decline: at most four per decision (Regulation B)."""

_REASONS: Schema = {"type": "array", "maxItems": 4, "items": {"enum": list(DECLINE_REASONS)}}

_HEX64: Schema = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_DECIDED_BY: dict[str, Schema] = {
    "model_version": {"type": "string", "minLength": 1, "maxLength": 100},
    "tree_size": {"type": "integer", "minimum": 1},
    "root_hash": _HEX64,
    "pd_ppm": {"type": "integer", "minimum": 0, "maximum": 1_000_000},
    "fraud_points": {"type": "integer", "minimum": 0, "maximum": 1000},
    "rules": {"type": "array", "maxItems": 32, "items": {"type": "string", "maxLength": 200}},
    "override_of": UUID,
}
"""What an automatic decision (or an override of one) records beside the outcome."""

TYPES: list[EventType] = [
    _t(
        "credit.application",
        obj(
            {
                "application_id": ID,
                "applicant": ID,
                "lender": ID,
                "product": {"enum": ["credit_line", "receipt_loan"]},
                "requested": MONEY,
            },
            {"receipt_id": ID},
        ),
        roles=("seller", "buyer"),
        actor="applicant",
        summary="A participant applies to a lender for credit.",
    ),
    _t(
        "credit.decision",
        obj(
            {
                "application_id": ID,
                "decision": {"enum": ["approved", "declined", "review"]},
            },
            {
                "limit": MONEY,
                "reason": {"type": "string"},
                "reasons": _REASONS,
                "applicant": ID,
                **_DECIDED_BY,
            },
        ),
        roles="lender",
        actor="lender",
        summary="A lender decides an application; a decline gives up to four reason codes. "
        "An automatic decision names the model and checkpoint it used and the rules that "
        "decided; an override names the decision it overrides and says why (reason).",
    ),
    _t(
        "credit.score_issued",
        obj(
            {
                "score_id": ID,
                "subject": ID,
                "recipient": ID,
                "model_version": {"type": "string", "minLength": 1, "maxLength": 100},
                "feature_schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "tree_size": {"type": "integer", "minimum": 1},
                "root_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "score": {"type": "integer"},
                "pd_ppm": {"type": "integer", "minimum": 0, "maximum": 1_000_000},
                "grade": {"type": "string", "minLength": 1, "maxLength": 8},
                "reasons_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            }
        ),
        roles="platform",
        summary="The scoring service records a score it showed to a recipient: the model, the "
        "checkpoint it was computed from, score, PD (parts per million), grade and a hash "
        "of the reasons, so either party can later prove what was shown.",
    ),
]
