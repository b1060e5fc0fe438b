"""Loans as postings: disbursed, interest, fees, repayments, recoveries, write-offs.

Each posting records how it moved the loan's three buckets (fees, interest, principal), so
a loan's balance is always the sum of its postings. A disbursement against a receipt needs
the receipt pledged to that lender by the borrower, and stays within the advance rate of
its collateral value. Repayments apply to fees, then interest, then principal, and may not
exceed what is owed; the repayment that clears a loan releases its receipts at once, so the
goods can leave the warehouse. Acts on a loan are its lender's, on a loan that exists.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, insert, select, update

from finance_api.domain import errors as e
from finance_api.domain.collateral import max_advance
from finance_api.domain.policies import PolicyBook
from finance_api.domain.waterfall import Allocation, Owed, allocate
from finance_api.receipts import accrual, facts, registry
from finance_api.receipts.records import Loan, find_loan, loan_of, receipt
from finance_api.receipts.revaluation import marks, store
from finance_api.receipts.tables import LoanRow, MarginCallRow, PledgeRow, PostingRow, ReceiptRow
from ledger.core.entry import LedgerEntry
from ledger.core.errors import Conflict

# built once: every loan act posts (see finance_api.receipts.stock)
_NEW_POSTING = insert(PostingRow)
_NEW_LOAN = insert(LoanRow)
_LINK_RECEIPT = (
    update(ReceiptRow)
    .where(ReceiptRow.receipt_id == bindparam("r"))
    .values(loan_id=bindparam("loan"))
)
_LINK_PLEDGE = (
    update(PledgeRow)
    .where(PledgeRow.receipt_id == bindparam("r"), PledgeRow.released_seq.is_(None))
    .values(loan_id=bindparam("loan"))
)
_MOVE_BUCKETS = (
    update(LoanRow)
    .where(LoanRow.loan_id == bindparam("id"))
    .values(
        owed_fees=LoanRow.owed_fees + bindparam("fees"),
        owed_interest=LoanRow.owed_interest + bindparam("interest"),
        owed_principal=LoanRow.owed_principal + bindparam("principal"),
        surplus_minor=LoanRow.surplus_minor + bindparam("surplus"),
    )
)


def post(
    connection: Connection,
    entry: LedgerEntry,
    loan_id: str,
    kind: str,
    amount: int,
    moved: Owed,
    surplus: int = 0,
) -> None:
    """Record one posting; ``moved`` is the signed change of each bucket."""
    connection.execute(
        _NEW_POSTING,
        {
            "seq": entry.seq,
            "loan_id": loan_id,
            "kind": kind,
            "amount_minor": amount,
            "fees_delta": moved.fees,
            "interest_delta": moved.interest,
            "principal_delta": moved.principal,
            "surplus_minor": surplus,
            "posted_on": facts.day(entry),
        },
    )
    connection.execute(
        _MOVE_BUCKETS,
        {
            "id": loan_id,
            "fees": moved.fees,
            "interest": moved.interest,
            "principal": moved.principal,
            "surplus": surplus,
        },
    )


def paid(allocation: Allocation) -> Owed:
    return Owed(-allocation.fees, -allocation.interest, -allocation.principal)


def disbursed(connection: Connection, entry: LedgerEntry, book: PolicyBook) -> None:
    loan_id, lender = facts.text(entry, "loan_id"), facts.text(entry, "lender")
    borrower = facts.text(entry, "borrower")
    principal, currency = facts.money(entry, "principal")
    if principal <= 0:
        raise e.InvalidAmount(
            "a loan must disburse a positive principal", field="payload.principal.amount_minor"
        )
    if find_loan(connection, loan_id) is not None:
        raise Conflict(f"loan {loan_id} was disbursed already", field="payload.loan_id")
    receipt_id = facts.optional(entry, "receipt_id")
    commodity = None
    if receipt_id is not None:
        held = receipt(connection, receipt_id, "payload.receipt_id")
        if held.pledged_to is None:
            raise e.NotPledged(f"receipt {receipt_id} is not pledged", field="payload.receipt_id")
        if held.pledged_to != lender:
            raise e.NotPledgee(
                f"receipt {receipt_id} is pledged to another lender", field="payload.receipt_id"
            )
        if held.holder != borrower:
            raise e.NotHolder(f"receipt {receipt_id} is not {borrower}'s", field="payload.borrower")
        if held.loan_id not in (None, loan_id):
            raise e.AlreadyPledged(
                f"receipt {receipt_id} secures loan {held.loan_id}", field="payload.receipt_id"
            )
        if held.currency != currency:
            raise e.CurrencyMismatch(
                "the receipt is valued in another currency", field="payload.principal.currency"
            )
        commodity = held.commodity
        link = {"r": receipt_id, "loan": loan_id}
        connection.execute(_LINK_RECEIPT, link)
        connection.execute(_LINK_PLEDGE, link)
    rate = entry.event.payload.get("rate_bp")
    connection.execute(
        _NEW_LOAN,
        {
            "loan_id": loan_id,
            "borrower": borrower,
            "lender": lender,
            "currency": currency,
            "rate_bp": None if rate is None else int(rate),
            "due_date": facts.optional(entry, "due_date"),
            "principal_minor": principal,
            "owed_fees": 0,
            "owed_interest": 0,
            "owed_principal": 0,
            "status": "open",
            "commodity": commodity,
            "value_minor": None,
            "ltv_bp": None,
            "ltv_state": None,
            "call_seq": None,
            "call_cure_by": None,
            "unmatched_sale_minor": 0,
            "surplus_minor": 0,
            "disbursed_seq": entry.seq,
            "closed_seq": None,
        },
    )
    post(connection, entry, loan_id, "disbursed", principal, Owed(principal=principal))
    found = marks(connection, book, loan_ids=[loan_id])  # one mark: value before the LTV
    if commodity is not None:  # the collateral's value does not depend on what is owed
        [mark] = found
        limit = max_advance(mark.value_minor, book.policy_for(commodity))
        if principal > limit:
            raise e.AdvanceExceeded(
                f"the collateral is worth {mark.value_minor} minor units; at the advance rate "
                f"of {book.policy_for(commodity).advance_bp} bp at most {limit} may be lent",
                field="payload.principal.amount_minor",
            )
    store(connection, found)


def charged(connection: Connection, entry: LedgerEntry) -> str:
    """Interest or a fee posted by the loan's lender."""
    loan = loan_of(connection, facts.text(entry, "loan_id"), facts.text(entry, "lender"))
    amount = facts.positive(entry, "amount", loan.currency)
    if entry.event.type == "loan.interest_posted":
        accrual.check_posting(connection, entry, loan, amount)
        post(connection, entry, loan.loan_id, "interest", amount, Owed(interest=amount))
    else:
        post(connection, entry, loan.loan_id, "fee", amount, Owed(fees=amount))
    return loan.loan_id


def _no_more_than_owed(loan: Loan, amount: int, what: str) -> None:
    if amount > loan.owed.total:
        raise e.Overpayment(
            f"{what} of {amount} exceeds the {loan.owed.total} owed on loan {loan.loan_id}",
            field="payload.amount.amount_minor",
        )


def repaid(connection: Connection, entry: LedgerEntry) -> str:
    loan = loan_of(connection, facts.text(entry, "loan_id"), facts.text(entry, "lender"))
    amount = facts.positive(entry, "amount", loan.currency)
    _no_more_than_owed(loan, amount, "a repayment")
    left, allocation = allocate(loan.owed, amount)
    post(connection, entry, loan.loan_id, "repayment", amount, paid(allocation))
    if left.total == 0:
        close(connection, entry, loan.loan_id, "repaid")
    return loan.loan_id


def close(connection: Connection, entry: LedgerEntry, loan_id: str, status: str) -> None:
    """The loan is settled: its open margin call ends and its receipts are released."""
    connection.execute(
        update(LoanRow)
        .where(LoanRow.loan_id == loan_id)
        .values(status=status, closed_seq=entry.seq, call_seq=None, call_cure_by=None)
    )
    connection.execute(
        update(MarginCallRow)
        .where(MarginCallRow.loan_id == loan_id, MarginCallRow.closed_seq.is_(None))
        .values(closed_seq=entry.seq, outcome=status)
    )
    secured = (
        connection.execute(
            select(ReceiptRow.receipt_id).where(
                ReceiptRow.loan_id == loan_id, ReceiptRow.status == "live"
            )
        )
        .scalars()
        .all()
    )
    for receipt_id in secured:
        registry.release(connection, str(receipt_id), entry.seq, f"loan_{status}")


def defaulted(connection: Connection, entry: LedgerEntry) -> str:
    loan = loan_of(connection, facts.text(entry, "loan_id"), facts.text(entry, "lender"))
    facts.money(entry, "amount", loan.currency)
    connection.execute(
        update(LoanRow).where(LoanRow.loan_id == loan.loan_id).values(status="defaulted")
    )
    return loan.loan_id


def recovered(connection: Connection, entry: LedgerEntry) -> str:
    """A recovery: from a collateral sale already applied (matched to it), or fresh money."""
    loan = loan_of(
        connection, facts.text(entry, "loan_id"), facts.text(entry, "lender"), open_only=False
    )
    amount = facts.positive(entry, "amount", loan.currency)
    if entry.event.payload.get("source") == "collateral_sale":
        if amount > loan.unmatched_sale_minor:
            raise e.Overpayment(
                f"sales of loan {loan.loan_id}'s collateral applied "
                f"{loan.unmatched_sale_minor} not yet reported as recovered",
                field="payload.amount.amount_minor",
            )
        connection.execute(
            update(LoanRow)
            .where(LoanRow.loan_id == loan.loan_id)
            .values(unmatched_sale_minor=LoanRow.unmatched_sale_minor - amount)
        )
        post(connection, entry, loan.loan_id, "recovery_of_sale", amount, Owed())
        return loan.loan_id
    if loan.closed:
        raise e.LoanClosed(f"loan {loan.loan_id} is {loan.status}", field="payload.loan_id")
    _no_more_than_owed(loan, amount, "a recovery")
    _, allocation = allocate(loan.owed, amount)
    post(connection, entry, loan.loan_id, "recovery", amount, paid(allocation))
    return loan.loan_id


def written_off(connection: Connection, entry: LedgerEntry) -> str:
    loan = loan_of(connection, facts.text(entry, "loan_id"), facts.text(entry, "lender"))
    amount, _ = facts.money(entry, "amount", loan.currency)
    _no_more_than_owed(loan, amount, "a write-off")
    left, allocation = allocate(loan.owed, amount)
    post(connection, entry, loan.loan_id, "write_off", amount, paid(allocation))
    if left.total == 0:
        close(connection, entry, loan.loan_id, "written_off")
    return loan.loan_id


def noted(connection: Connection, entry: LedgerEntry) -> None:
    """Schedules, statements and past-due reports: about a loan of the lender's."""
    loan_of(connection, facts.text(entry, "loan_id"), facts.text(entry, "lender"), open_only=False)
