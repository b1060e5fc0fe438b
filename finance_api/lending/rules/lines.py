"""A revolving credit line as a value, and what each lender act does to it.

A line owes three components, each in integer minor units of the line's currency:
principal (drawn and not repaid), interest and fees (posted by the lender). Its balance is
their sum and its available amount is ``limit - balance`` while it is open, nothing while
it is frozen, closing, past due, in default, closed or past its expiry: a drawdown beyond
it is refused. A payment applies to fees first, then interest, then principal (the usual
waterfall, so the lender's income is recognised before capital is returned), and restores
the available amount by what it paid. Every change of a balance is a list of
:class:`Posting` values whose sum is the change: the projector stores them, so a line's
balance always equals the sum of its postings and no act creates or loses money.

The borrower may ask to close a line (``credit_line.closure_requested``): from then on it is
``closing`` and draws nothing; the lender's ``credit_line.closed`` ends it once nothing is
owed, whoever asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from finance_api.lending.errors import (
    BeyondAvailable,
    LineClosed,
    LineCurrencyMismatch,
    LineDefaulted,
    LineExists,
    LineFrozen,
    LinePastDue,
    NotLineLender,
    Overpayment,
    StatementMismatch,
    UnknownLine,
    WrongState,
)

Status = Literal["open", "frozen", "closing", "defaulted", "closed"]
Component = Literal["principal", "interest", "fees"]
WATERFALL: tuple[Component, ...] = ("fees", "interest", "principal")
"""The order a payment is applied in."""


@dataclass(frozen=True, slots=True)
class Posting:
    """A signed change of one component of a line's balance."""

    component: Component
    amount: int


@dataclass(frozen=True, slots=True)
class Line:
    """One revolving line as the ledger's lender acts leave it."""

    line_id: str
    borrower: str
    lender: str
    currency: str
    limit: int
    expires_on: date | None = None
    rate_bp: int | None = None
    principal: int = 0
    interest: int = 0
    fees: int = 0
    status: Status = "open"
    freeze_reason: str | None = None
    arrears: int = 0
    days_past_due: int = 0
    dpd_as_of: date | None = None
    defaulted_amount: int = 0
    recovered: int = 0
    written_off: int = 0

    @property
    def balance(self) -> int:
        return self.principal + self.interest + self.fees

    def available(self, on: date) -> int:
        """What can be drawn on ``on``: the undrawn limit of an open line that is current."""
        if self.status != "open" or self.arrears > 0 or self.expired(on):
            return 0
        return max(0, self.limit - self.balance)

    def undrawn(self) -> int:
        """The commitment not yet drawn (for exposure): zero once the line cannot be drawn
        again (closing, defaulted, closed); a frozen line counts, since a freeze is lifted."""
        if self.status not in ("open", "frozen"):
            return 0
        return max(0, self.limit - self.balance)

    def expired(self, on: date) -> bool:
        return self.expires_on is not None and on >= self.expires_on


def money(payload: Mapping[str, Any], name: str, currency: str | None) -> int:
    """The amount of ``payload[name]`` in minor units, refused in another currency."""
    value = payload[name]
    if currency is not None and value["currency"] != currency:
        raise LineCurrencyMismatch(
            f"the line is in {currency}, not {value['currency']}", field=f"payload.{name}.currency"
        )
    return int(value["amount_minor"])


def open_line(existing: Line | None, payload: Mapping[str, Any]) -> Line:
    if existing is not None:
        raise LineExists(f"line {payload['line_id']} is open already", field="payload.line_id")
    limit = payload["limit"]
    expires = payload.get("expires_on")
    return Line(
        line_id=str(payload["line_id"]),
        borrower=str(payload["borrower"]),
        lender=str(payload["lender"]),
        currency=str(limit["currency"]),
        limit=int(limit["amount_minor"]),
        expires_on=date.fromisoformat(expires) if expires else None,
        rate_bp=payload.get("rate_bp"),
    )


def _owned(line: Line | None, payload: Mapping[str, Any], actor_field: str = "lender") -> Line:
    if line is None:
        raise UnknownLine(f"no credit line {payload['line_id']}", field="payload.line_id")
    for name, party in (("lender", line.lender), ("borrower", line.borrower)):
        if (name == actor_field or name in payload) and payload.get(name) != party:
            raise NotLineLender(f"line {line.line_id} is {party}'s, not {payload.get(name)}'s",
                                field=f"payload.{name}")  # fmt: skip
    return line


def _not_closed(line: Line) -> None:
    if line.status == "closed":
        raise LineClosed(f"line {line.line_id} is closed", field="payload.line_id")


def draw(line: Line, amount: int, on: date) -> tuple[Line, list[Posting]]:
    """A drawdown within the available amount; every other case is refused with its reason."""
    _not_closed(line)
    if line.status == "closing":
        raise LineClosed(f"line {line.line_id} is closing at the borrower's request",
                         field="payload.line_id")  # fmt: skip
    if line.status == "defaulted":
        raise LineDefaulted(f"line {line.line_id} is in default", field="payload.line_id")
    if line.status == "frozen":
        raise LineFrozen(f"line {line.line_id} is frozen ({line.freeze_reason})",
                         field="payload.line_id")  # fmt: skip
    if line.expired(on):
        raise LineClosed(f"line {line.line_id} expired on {line.expires_on}",
                         field="payload.line_id")  # fmt: skip
    if line.arrears > 0:
        raise LinePastDue(f"line {line.line_id} is {line.days_past_due} days past due",
                          field="payload.line_id")  # fmt: skip
    if amount > line.available(on):
        raise BeyondAvailable(
            f"{amount} is more than the {line.available(on)} available on line {line.line_id}",
            field="payload.amount",
        )
    return replace(line, principal=line.principal + amount), [Posting("principal", amount)]


def waterfall(line: Line, amount: int) -> list[Posting]:
    """Split a payment over fees, then interest, then principal (negative postings)."""
    if amount > line.balance:
        raise Overpayment(f"{amount} is more than the {line.balance} owed on line "
                          f"{line.line_id}", field="payload.amount")  # fmt: skip
    out: list[Posting] = []
    left = amount
    for component in WATERFALL:
        part = min(left, getattr(line, component))
        if part > 0:
            out.append(Posting(component, -part))
            left -= part
    return out


def _post(line: Line, postings: list[Posting]) -> Line:
    changes = {c: getattr(line, c) for c in WATERFALL}
    for posting in postings:
        changes[posting.component] += posting.amount
    return replace(line, **changes)


def repay(line: Line, amount: int) -> tuple[Line, list[Posting]]:
    """A payment applied: it reduces arrears first and the line is current once they are paid."""
    _not_closed(line)
    postings = waterfall(line, amount)
    arrears = max(0, line.arrears - amount)
    paid = _post(line, postings)
    if arrears == 0:
        return replace(paid, arrears=0, days_past_due=0), postings
    return replace(paid, arrears=arrears), postings


def charge(line: Line, component: Component, amount: int) -> tuple[Line, list[Posting]]:
    """Interest or a fee posted by the lender."""
    _not_closed(line)
    posting = Posting(component, amount)
    return _post(line, [posting]), [posting]


def reduce_defaulted(line: Line, amount: int, kind: str) -> tuple[Line, list[Posting]]:
    """A recovery or a write-off: only on a line in default, never beyond what is owed."""
    if line.status != "defaulted":
        raise WrongState(f"line {line.line_id} is not in default: a {kind} needs one",
                         field="payload.line_id")  # fmt: skip
    postings = waterfall(line, amount)
    reduced = _post(line, postings)
    if kind == "recovery":
        return replace(reduced, recovered=line.recovered + amount), postings
    return replace(reduced, written_off=line.written_off + amount), postings


def statement(line: Line, payload: Mapping[str, Any]) -> Line:
    """A statement must agree with the line's postings: its closing balance is the balance."""
    _not_closed(line)
    closing = money(payload, "closing_balance", line.currency)
    if closing != line.balance:
        raise StatementMismatch(
            f"the statement closes at {closing} but line {line.line_id} owes {line.balance}",
            field="payload.closing_balance",
        )
    dpd = payload.get("days_past_due")
    if dpd is None:
        return line
    return replace(line, days_past_due=int(dpd) if line.arrears else 0)


def past_due(line: Line, days: int, amount: int, on: date) -> Line:
    _not_closed(line)
    return replace(line, days_past_due=days, arrears=min(amount, line.balance), dpd_as_of=on)


def set_status(line: Line, etype: str, payload: Mapping[str, Any]) -> Line:
    """Freeze, unfreeze, closure request, default and close."""
    _not_closed(line)
    if etype == "credit_line.frozen":
        if line.status != "open":
            raise WrongState(f"line {line.line_id} is {line.status}: only an open line freezes",
                             field="payload.line_id")  # fmt: skip
        return replace(line, status="frozen", freeze_reason=str(payload["reason"]))
    if etype == "credit_line.unfrozen":
        if line.status != "frozen":
            raise WrongState(f"line {line.line_id} is {line.status}, not frozen",
                             field="payload.line_id")  # fmt: skip
        return replace(line, status="open", freeze_reason=None)
    if etype == "credit_line.closure_requested":
        if line.status not in ("open", "frozen"):
            raise WrongState(f"line {line.line_id} is {line.status} already",
                             field="payload.line_id")  # fmt: skip
        return replace(line, status="closing")
    if etype == "credit_line.defaulted":
        if line.status == "defaulted":
            raise WrongState(f"line {line.line_id} is in default already", field="payload.line_id")
        amount = money(payload, "amount", line.currency)
        return replace(line, status="defaulted", defaulted_amount=amount)
    if line.balance != 0:  # credit_line.closed
        raise WrongState(f"line {line.line_id} still owes {line.balance}: repay, recover or "
                         "write off before closing", field="payload.line_id")  # fmt: skip
    return replace(line, status="closed")


def apply(line: Line | None, etype: str, payload: Mapping[str, Any], on: date
          ) -> tuple[Line, list[Posting]]:  # fmt: skip
    """The line after one ``credit_line.*`` event of the date ``on``, and its postings."""
    if etype == "credit_line.opened":
        return open_line(line, payload), []
    owned = _owned(line, payload, "borrower" if etype.endswith("closure_requested") else "lender")
    currency = owned.currency
    if etype == "credit_line.drawn":
        return draw(owned, money(payload, "amount", currency), on)
    if etype == "credit_line.repaid":
        return repay(owned, money(payload, "amount", currency))
    if etype == "credit_line.interest_posted":
        return charge(owned, "interest", money(payload, "amount", currency))
    if etype == "credit_line.fee_posted":
        return charge(owned, "fees", money(payload, "amount", currency))
    if etype == "credit_line.recovery_posted":
        return reduce_defaulted(owned, money(payload, "amount", currency), "recovery")
    if etype == "credit_line.written_off":
        return reduce_defaulted(owned, money(payload, "amount", currency), "write-off")
    if etype == "credit_line.statement_issued":
        return statement(owned, payload), []
    if etype == "credit_line.past_due":
        days = int(payload["days_past_due"])
        return past_due(owned, days, money(payload, "amount", currency), on), []
    return set_status(owned, etype, payload), []


_ACTS = (
    "opened drawn repaid interest_posted fee_posted recovery_posted written_off "
    "statement_issued past_due frozen unfrozen closure_requested defaulted closed"
)
EVENT_TYPES = frozenset(f"credit_line.{name}" for name in _ACTS.split())
