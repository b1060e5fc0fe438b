"""Prices, margin calls, cures and liquidation, judged on the LTV the ledger computes.

A price event revalues every open loan against the commodity. The lender may call margin
only at or past the margin-call LTV, with a cure date no earlier than the commodity's cure
period (business days) allows; a call is cured once LTV is back below the margin-call
point (by repayment or by pledging more). The lender may sell pledged collateral only at
or past the liquidation LTV, once the cure date of an open call is reached, or after
default. Proceeds pay fees, interest, principal, and the surplus is the borrower's; what
they do not cover stays owed as unsecured debt.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, insert, update

from finance_api.domain import errors as e
from finance_api.domain.collateral import BP, cure_paydown
from finance_api.domain.policies import PolicyBook, add_business_days
from finance_api.domain.waterfall import allocate
from finance_api.receipts import facts
from finance_api.receipts.loans import close, paid, post
from finance_api.receipts.records import Loan, loan_of, receipt
from finance_api.receipts.revaluation import Mark, marks, revalue_commodity, store
from finance_api.receipts.tables import LoanRow, MarginCallRow, PriceRow, ReceiptRow
from ledger.core.entry import LedgerEntry

_SET_PRICE = (
    update(PriceRow)
    .where(PriceRow.commodity == bindparam("k"))
    .values(
        unit=bindparam("u"), price_minor=bindparam("p"), currency=bindparam("c"), seq=bindparam("s")
    )
)
_NEW_PRICE = insert(PriceRow)


def price(connection: Connection, entry: LedgerEntry, book: PolicyBook) -> None:
    commodity = facts.text(entry, "commodity")
    amount, currency = facts.money(entry, "price")
    values = {
        "unit": facts.text(entry, "unit"),
        "price_minor": amount,
        "currency": currency,
        "seq": entry.seq,
    }
    done = connection.execute(
        _SET_PRICE,
        {"k": commodity, "u": values["unit"], "p": amount, "c": currency, "s": entry.seq},
    )
    if done.rowcount == 0:
        connection.execute(_NEW_PRICE, {"commodity": commodity, **values})
    revalue_commodity(connection, book, commodity)


def _mark(connection: Connection, book: PolicyBook, loan: Loan) -> tuple[Mark, int, int, int]:
    """The loan's mark now, with its policy's margin-call, liquidation and advance points."""
    [mark] = marks(connection, book, loan_ids=[loan.loan_id])
    store(connection, [mark])
    policy = book.policy_for(loan.commodity or "")
    return mark, policy.margin_call_bp, policy.liquidation_bp, policy.advance_bp


def called(connection: Connection, entry: LedgerEntry, book: PolicyBook) -> None:
    loan = loan_of(connection, facts.text(entry, "loan_id"), facts.text(entry, "lender"))
    if loan.call_seq is not None:
        raise e.MarginCallOpen(
            f"loan {loan.loan_id} has an open margin call", field="payload.loan_id"
        )
    mark, call_bp, _, _ = _mark(connection, book, loan)
    if mark.ltv_bp is None or mark.ltv_bp < call_bp:
        raise e.LtvRuleNotMet(
            f"loan {loan.loan_id} is at {mark.ltv_bp} bp LTV on the ledger's prices; a margin "
            f"call needs at least {call_bp} bp",
            field="payload.ltv_bp",
        )
    claimed = int(entry.event.payload["ltv_bp"])
    if claimed != mark.ltv_bp:
        raise e.LtvRuleNotMet(
            f"the ledger computes {mark.ltv_bp} bp LTV for loan {loan.loan_id}, not {claimed}",
            field="payload.ltv_bp",
        )
    policy = book.policy_for(loan.commodity or "")
    earliest = add_business_days(facts.day(entry), policy.cure_business_days)
    given = facts.optional(entry, "cure_by")
    cure_by = earliest if given is None else facts.parse_date(given, "payload.cure_by")
    if cure_by < earliest:
        raise e.LtvRuleNotMet(
            f"the cure period is {policy.cure_business_days} business days: cure by "
            f"{earliest.isoformat()} at the earliest",
            field="payload.cure_by",
        )
    due = cure_paydown(loan.owed.total, mark.value_minor, policy)
    connection.execute(
        insert(MarginCallRow).values(
            seq=entry.seq,
            loan_id=loan.loan_id,
            ltv_bp=mark.ltv_bp,
            cure_by=cure_by.isoformat(),
            amount_due_minor=due,
            closed_seq=None,
            outcome=None,
        )
    )
    connection.execute(
        update(LoanRow)
        .where(LoanRow.loan_id == loan.loan_id)
        .values(call_seq=entry.seq, call_cure_by=cure_by.isoformat())
    )


def cured(connection: Connection, entry: LedgerEntry, book: PolicyBook) -> None:
    loan = loan_of(connection, facts.text(entry, "loan_id"), facts.text(entry, "lender"))
    if loan.call_seq is None:
        raise e.NoMarginCall(
            f"loan {loan.loan_id} has no open margin call", field="payload.loan_id"
        )
    mark, call_bp, _, _ = _mark(connection, book, loan)
    if mark.ltv_bp is None or mark.ltv_bp >= call_bp:
        raise e.LtvRuleNotMet(
            f"loan {loan.loan_id} is at {mark.ltv_bp} bp LTV: a cure needs it below {call_bp} bp",
            field="payload.ltv_bp",
        )
    _end_call(connection, entry, loan.loan_id, "cured")


def _end_call(connection: Connection, entry: LedgerEntry, loan_id: str, outcome: str) -> None:
    connection.execute(
        update(MarginCallRow)
        .where(MarginCallRow.loan_id == loan_id, MarginCallRow.closed_seq.is_(None))
        .values(closed_seq=entry.seq, outcome=outcome)
    )
    connection.execute(
        update(LoanRow).where(LoanRow.loan_id == loan_id).values(call_seq=None, call_cure_by=None)
    )


def liquidated(connection: Connection, entry: LedgerEntry, book: PolicyBook) -> None:
    loan = loan_of(connection, facts.text(entry, "loan_id"), facts.text(entry, "lender"))
    receipt_id = facts.text(entry, "receipt_id")
    held = receipt(connection, receipt_id, "payload.receipt_id")
    if held.pledged_to != loan.lender or held.loan_id != loan.loan_id or held.status != "live":
        raise e.NotPledgee(
            f"receipt {receipt_id} is not live collateral of loan {loan.loan_id}",
            field="payload.receipt_id",
        )
    proceeds, _ = facts.money(entry, "proceeds", loan.currency)
    if "quantity" in entry.event.payload and facts.quantity(entry) > held.live_milli:
        raise e.ReceiptExceedsStock(
            f"receipt {receipt_id} covers {held.live_milli / 1000:g}", field="payload.quantity"
        )
    mark, _, liquidation_bp, _ = _mark(connection, book, loan)
    reached = loan.call_cure_by is not None and facts.day(entry) >= facts.parse_date(
        loan.call_cure_by, "cure_by"
    )
    ltv = mark.ltv_bp if mark.ltv_bp is not None else BP * 100
    if not (loan.status == "defaulted" or ltv >= liquidation_bp or reached):
        raise e.LtvRuleNotMet(
            f"loan {loan.loan_id} is at {ltv} bp LTV, below the liquidation point of "
            f"{liquidation_bp} bp, with no margin call past its cure date and no default",
            field="payload.loan_id",
        )
    left, allocation = allocate(loan.owed, proceeds)
    post(
        connection,
        entry,
        loan.loan_id,
        "liquidation",
        proceeds,
        paid(allocation),
        allocation.surplus,
    )
    connection.execute(
        update(ReceiptRow).where(ReceiptRow.receipt_id == receipt_id).values(status="liquidated")
    )
    if loan.status == "defaulted":
        connection.execute(
            update(LoanRow)
            .where(LoanRow.loan_id == loan.loan_id)
            .values(unmatched_sale_minor=LoanRow.unmatched_sale_minor + allocation.applied)
        )
    if loan.call_seq is not None:
        _end_call(connection, entry, loan.loan_id, "liquidated")
    if left.total == 0 and loan.status == "open":
        close(connection, entry, loan.loan_id, "liquidated")
    else:
        store(connection, marks(connection, book, loan_ids=[loan.loan_id]))
