"""Recording decisions: each automatic decision, and each override, is a ``credit.decision``.

The lender signs it. Beside the outcome, the limit and the adverse-action reasons, the
payload names the model version and the checkpoint (tree size and root) the score was
computed from, the PD and the fraud score, and every rule with its outcome; an override
names the decision event it overrides and the lender's reason.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from finance_api.lending.rules.policy import EVENT_DECISION, Decision
from ledger.core.events import Event
from ledger.core.keys import SigningKey
from ledger.log import Ledger


def payload(decision: Decision, override_of: str | None = None) -> dict[str, Any]:
    app = decision.application
    body: dict[str, Any] = {
        "application_id": app.application_id,
        "lender": app.lender,
        "applicant": app.applicant,
        "decision": EVENT_DECISION[decision.outcome],
        "model_version": decision.model_version,
        "pd_ppm": decision.pd_ppm,
        "fraud_points": app.fraud_points,
        "rules": [str(rule)[:200] for rule in decision.rules],
    }
    if decision.outcome != "decline":
        body["limit"] = {"amount_minor": decision.limit, "currency": app.currency}
    if decision.reasons:
        body["reasons"] = list(decision.reasons)
    if decision.checkpoint is not None:
        body["tree_size"], body["root_hash"] = decision.checkpoint
    if decision.overridden:
        body["reason"] = f"override of {decision.automatic}: {decision.override_reason}"
        if override_of is not None:
            body["override_of"] = override_of
    elif decision.deciding:
        body["reason"] = f"automatic: {', '.join(decision.deciding)}"
    else:
        body["reason"] = "automatic: every rule passed"
    return body


def decision_event(decision: Decision, key: SigningKey, at: datetime,
                   override_of: str | None = None) -> Event:  # fmt: skip
    app = decision.application
    return Event.create(key, flow="finance", type="credit.decision", actor=app.lender,
                        payload=payload(decision, override_of), occurred_at=at,
                        subjects=[app.applicant], event_id=str(uuid.uuid4()))  # fmt: skip


def record(ledger: Ledger, decision: Decision, key: SigningKey, at: datetime,
           override_of: str | None = None) -> Event:  # fmt: skip
    """Append the decision (or override) signed by the lender; return the event."""
    event = decision_event(decision, key, at, override_of)
    ledger.append(event)
    return event
