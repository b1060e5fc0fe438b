"""What a lender's servicing must record on a line on a given day: freeze, default.

A line past due by the policy's ``freeze_dpd`` (or whose covenant is breached) is frozen;
at 90 days past due it is declared in default with its balance as the exposure. The result
is the list of ``(event type, payload)`` the lender signs and appends; the projection then
refuses anything that no longer fits (a second freeze, a draw on the frozen line).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from finance_api.lending.rules.delinquency import FreezePolicy, days_past_due_on, is_default
from finance_api.lending.rules.lines import Line


def due_acts(line: Line, on: date, policy: FreezePolicy = FreezePolicy(),
             covenant_breached: bool = False) -> list[tuple[str, dict[str, Any]]]:  # fmt: skip
    base = {"line_id": line.line_id, "lender": line.lender}
    dpd = days_past_due_on(line, on)
    out: list[tuple[str, dict[str, Any]]] = []
    reason = policy.reason(line, on, covenant_breached)
    if reason is not None:
        out.append(("credit_line.frozen", {**base, "reason": reason}))
    if is_default(dpd) and line.status in ("open", "frozen", "closing"):
        amount = {"amount_minor": line.balance, "currency": line.currency}
        payload = {**base, "reason": "days_past_due", "days_past_due": dpd, "amount": amount}
        out.append(("credit_line.defaulted", payload))
    return out
