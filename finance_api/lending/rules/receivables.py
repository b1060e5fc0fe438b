"""A financed receivable as a value, and what each lender act does to it.

The lender advances ``advanced`` of the face and holds the reserve (the rest) until the
debtor pays. Money comes back as the debtor's collections and, with recourse, the seller's
repurchase; the financing then closes one way:

- settled: the advance came back; the lender keeps the fee (``fee_bp`` of the face per
  ``fee_period_days``, pro rata by days from the financing to the last payment in, rounded
  half up, and never more than what came in beyond the advance) and rebates the rest;
- written off: exactly the advance still out, past due (the lender's loss);
- converted: an advance payment's goods landed; a receipt loan refinances the advance still
  out plus the fee to date.

Every change is a list of :class:`Posting` values: ``advanced`` +, ``fee`` +, ``rebate`` +,
``collected`` -, ``recourse`` -, ``written_off`` -, ``converted`` -. Their sum is what the
lender is owed on the financing (negative while it holds reserve it has not yet rebated),
and it is zero once the financing is closed: what the debtor and the seller paid is exactly
the advance, the fee and the rebate (plus what was written off or refinanced), so no act
creates or loses money.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from finance_api.lending.receivable_errors import (
    AdvanceOutstanding,
    BeyondOutstanding,
    ConversionRefused,
    FinancingClosed,
    NoRecourse,
    NotFinancingLender,
    NotPastDue,
    ReceivableCurrencyMismatch,
    SettlementMismatch,
    UnknownFinancing,
)
from finance_api.lending.rules.eligibility import Document

Status = Literal["open", "settled", "written_off", "converted"]
ACTS = frozenset({"receivable.collected", "receivable.recourse", "receivable.settled",
                  "receivable.written_off", "receivable.converted"})  # fmt: skip
EVENT_TYPES = ACTS | {"receivable.financed"}


@dataclass(frozen=True, slots=True)
class Posting:
    component: str
    amount: int


@dataclass(frozen=True, slots=True)
class Financing:
    """One financed document as the lender's acts leave it (amounts in minor units)."""

    financing_id: str
    document_kind: str
    document_id: str
    document_key: str
    order_id: str
    seller: str
    debtor: str
    lender: str
    currency: str
    face: int
    advance_rate_bp: int
    advanced: int
    reserve: int
    fee_bp: int
    fee_period_days: int
    recourse: bool
    due_date: date
    financed_on: date
    status: Status = "open"
    collected: int = 0
    recourse_paid: int = 0
    fee: int = 0
    rebate: int = 0
    written_off: int = 0
    converted: int = 0
    loan_id: str | None = None
    last_in_on: date | None = None

    @property
    def came_in(self) -> int:
        return self.collected + self.recourse_paid

    @property
    def advance_out(self) -> int:
        """What of the advance has not come back yet."""
        return max(0, self.advanced - self.came_in)

    @property
    def balance(self) -> int:
        """What the lender is owed: the sum of the financing's postings."""
        paid_out = self.advanced + self.fee + self.rebate
        return paid_out - self.came_in - self.written_off - self.converted

    def fee_to(self, until: date) -> int:
        """The fee by days outstanding up to ``until`` (at least a day), half up."""
        days = max(1, (until - self.financed_on).days)
        numerator = self.face * self.fee_bp * days
        denominator = 10_000 * self.fee_period_days
        return (2 * numerator + denominator) // (2 * denominator)


@dataclass(frozen=True, slots=True)
class LoanFacts:
    """What a conversion needs to know of the receipt loan that refinances an advance."""

    lender: str
    borrower: str
    principal: int
    currency: str


def financed(doc: Document, key: str, payload: Mapping[str, Any], on: date) -> Financing:
    """The financing a judged-eligible ``receivable.financed`` opens, and its posting."""
    return Financing(
        financing_id=str(payload["financing_id"]), document_kind=doc.kind,
        document_id=doc.document_id, document_key=key, order_id=doc.order_id,
        seller=doc.seller, debtor=doc.buyer, lender=str(payload["lender"]),
        currency=doc.currency, face=doc.amount,
        advance_rate_bp=int(payload["advance_rate_bp"]),
        advanced=int(payload["advanced"]["amount_minor"]),
        reserve=int(payload["reserve"]["amount_minor"]), fee_bp=int(payload["fee_bp"]),
        fee_period_days=int(payload["fee_period_days"]), recourse=bool(payload["recourse"]),
        due_date=date.fromisoformat(str(payload["due_date"])), financed_on=on,
    )  # fmt: skip


def apply(
    fin: Financing | None, etype: str, payload: Mapping[str, Any], on: date,
    loan: LoanFacts | None = None,
) -> tuple[Financing, list[Posting]]:  # fmt: skip
    """The financing after a lender act, and the postings of the change; or the refusal."""
    if fin is None:
        raise UnknownFinancing(f"no financing {payload['financing_id']}",
                               field="payload.financing_id")  # fmt: skip
    if payload["lender"] != fin.lender:
        raise NotFinancingLender(f"financing {fin.financing_id} is {fin.lender}'s",
                                 field="payload.lender")  # fmt: skip
    if fin.status != "open":
        raise FinancingClosed(f"financing {fin.financing_id} is {fin.status}",
                              field="payload.financing_id")  # fmt: skip
    name = etype.removeprefix("receivable.")
    if name == "settled":
        return _settled(fin, payload)
    amount = _amount(fin, payload, "amount")
    if name == "collected":
        if fin.collected + amount > fin.face:
            raise BeyondOutstanding(f"the debtor owes {fin.face - fin.collected} at most",
                                    field="payload.amount")  # fmt: skip
        return replace(fin, collected=fin.collected + amount,
                       last_in_on=on), [Posting("collected", -amount)]  # fmt: skip
    if name == "recourse":
        return _recourse(fin, amount, on)
    if name == "written_off":
        _past_due(fin, on)
        if amount != fin.advance_out or amount == 0:
            raise SettlementMismatch(f"the write-off is the advance still out: {fin.advance_out}",
                                     field="payload.amount")  # fmt: skip
        return replace(fin, written_off=amount, status="written_off"), [
            Posting("written_off", -amount)]  # fmt: skip
    return _converted(fin, payload, amount, on, loan)


def _amount(fin: Financing, payload: Mapping[str, Any], name: str, *, zero: bool = False) -> int:
    money = payload[name]
    if money["currency"] != fin.currency:
        raise ReceivableCurrencyMismatch(f"the financing is in {fin.currency}",
                                         field=f"payload.{name}.currency")  # fmt: skip
    amount = int(money["amount_minor"])
    if amount == 0 and not zero:
        raise BeyondOutstanding("an amount of zero records nothing", field=f"payload.{name}")
    return amount


def _past_due(fin: Financing, on: date) -> None:
    if on <= fin.due_date:
        raise NotPastDue(f"financing {fin.financing_id} is due {fin.due_date.isoformat()}",
                         field="payload.financing_id")  # fmt: skip


def _recourse(fin: Financing, amount: int, on: date) -> tuple[Financing, list[Posting]]:
    if not fin.recourse:
        raise NoRecourse(f"financing {fin.financing_id} is without recourse",
                         field="payload.financing_id")  # fmt: skip
    _past_due(fin, on)
    owed = fin.advanced + fin.fee_to(on) - fin.came_in
    if amount > owed:
        raise BeyondOutstanding(f"the seller owes {max(0, owed)} at most (advance still out "
                                "plus the fee to date)", field="payload.amount")  # fmt: skip
    return replace(fin, recourse_paid=fin.recourse_paid + amount, last_in_on=on), [
        Posting("recourse", -amount)]  # fmt: skip


def settlement(fin: Financing) -> tuple[int, int]:
    """The fee and rebate a settlement of ``fin`` must state now."""
    beyond = fin.came_in - fin.advanced
    fee = min(fin.fee_to(fin.last_in_on or fin.financed_on), beyond)
    return fee, beyond - fee


def _settled(fin: Financing, payload: Mapping[str, Any]) -> tuple[Financing, list[Posting]]:
    if payload["seller"] != fin.seller:
        raise NotFinancingLender(f"financing {fin.financing_id} is of {fin.seller}",
                                 field="payload.seller")  # fmt: skip
    if fin.advance_out:
        raise AdvanceOutstanding(f"{fin.advance_out} of the advance is still out",
                                 field="payload.financing_id")  # fmt: skip
    fee, rebate = settlement(fin)
    for name, due in (("fee", fee), ("rebate", rebate)):
        if _amount(fin, payload, name, zero=True) != due:
            raise SettlementMismatch(f"the {name} is {due}", field=f"payload.{name}")
    posted = [Posting(n, a) for n, a in (("fee", fee), ("rebate", rebate)) if a]
    return replace(fin, fee=fee, rebate=rebate, status="settled"), posted


def _converted(fin: Financing, payload: Mapping[str, Any], amount: int, on: date,
               loan: LoanFacts | None) -> tuple[Financing, list[Posting]]:  # fmt: skip
    field = "payload.loan_id"
    if fin.document_kind != "order":
        raise ConversionRefused("only an advance payment converts into a receipt loan",
                                field="payload.financing_id")  # fmt: skip
    if fin.advance_out == 0:
        raise ConversionRefused("the advance came back: settle it", field="payload.financing_id")
    if loan is None or loan.lender != fin.lender or loan.borrower != fin.seller:
        raise ConversionRefused(f"loan {payload['loan_id']} is no receipt loan of {fin.lender} "
                                f"to {fin.seller}", field=field)  # fmt: skip
    fee = fin.fee_to(on)
    due = fin.advance_out + fee
    if amount != due:
        raise SettlementMismatch(f"the conversion is the advance still out plus the fee to "
                                 f"date: {due}", field="payload.amount")  # fmt: skip
    if loan.currency != fin.currency or loan.principal < due:
        raise ConversionRefused(f"loan {payload['loan_id']} does not refinance {due} "
                                f"{fin.currency}", field=field)  # fmt: skip
    done = replace(fin, fee=fee, converted=due, loan_id=str(payload["loan_id"]),
                   status="converted")  # fmt: skip
    return done, [Posting("fee", fee), Posting("converted", -due)] if fee else [
        Posting("converted", -due)]  # fmt: skip
