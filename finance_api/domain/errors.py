"""One error root for the finance domain, carrying the HTTP status it maps to.

Finance errors are refusals of a business rule (a receipt already pledged, a drawdown over
the limit); they share the ``{"error", "detail", "field"}`` body with ledger errors.
"""

from __future__ import annotations

from ledger.core.errors import LedgerError


class FinanceError(LedgerError):
    """Root of every finance-rule refusal."""

    code = "finance_error"
    status = 409


class InvalidAmount(FinanceError):
    """An amount is negative, of another currency, or otherwise not what the rule needs."""

    code = "invalid_amount"
    status = 422


class CurrencyMismatch(InvalidAmount):
    code = "currency_mismatch"


class AlreadyPledged(FinanceError):
    """A receipt is pledged to a lender already: it can be pledged to one at a time."""

    code = "already_pledged"


class NotPledgee(FinanceError):
    """Only the lender a receipt is pledged to may release or liquidate it."""

    code = "not_pledgee"
    status = 403


class ReceiptNotLive(FinanceError):
    """The receipt is cancelled, released to completion, or liquidated."""

    code = "receipt_not_live"


class UnknownReceipt(FinanceError):
    """No warehouse receipt is known under that document hash."""

    code = "unknown_receipt"
    status = 404


class AlreadyRegistered(FinanceError):
    """A receipt with that document hash is registered already: one receipt per document."""

    code = "already_registered"


class AlreadyCancelled(ReceiptNotLive):
    """The receipt is cancelled: nothing can be done with it any more."""

    code = "already_cancelled"


class NotPledged(FinanceError):
    """The receipt is not pledged, so there is no pledge to release."""

    code = "not_pledged"


class StillPledged(FinanceError):
    """A pledged receipt cannot be cancelled: the lender's collateral would vanish."""

    code = "still_pledged"


class NotHolder(FinanceError):
    """Only the receipt's holder may pledge it."""

    code = "not_holder"
    status = 403


class NotIssuer(FinanceError):
    """Only the warehouse that issued a receipt may cancel it."""

    code = "not_issuer"
    status = 403


class NotAdmittedWarehouse(FinanceError):
    """Only an admitted warehouse may issue receipts."""

    code = "not_admitted_warehouse"
    status = 403


class AlreadyAdmitted(FinanceError):
    """The warehouse is admitted already."""

    code = "already_admitted"


class UnknownLoan(FinanceError):
    """No loan is known under that id."""

    code = "unknown_loan"
    status = 404


class NotLender(FinanceError):
    """Only the lender of a loan may act on it."""

    code = "not_lender"
    status = 403


class GoodsNotHeld(FinanceError):
    """The warehouse holds no goods of that lot for that owner: a receipt needs stock."""

    code = "goods_not_held"


class ReceiptExceedsStock(FinanceError):
    """Live receipts would cover more than the goods the warehouse holds (the Qingdao rule)."""

    code = "receipt_exceeds_stock"


class GoodsEncumbered(FinanceError):
    """Goods under a live receipt may not leave the warehouse until it is released."""

    code = "goods_encumbered"


class ReceiptExpired(FinanceError):
    """The receipt's expiry date has passed: it backs nothing any more."""

    code = "receipt_expired"


class Overpayment(InvalidAmount):
    """A payment or a write-off larger than what is owed on the loan."""

    code = "overpayment"


class AdvanceExceeded(FinanceError):
    """A disbursement above the advance rate of the pledged collateral's value."""

    code = "advance_exceeded"


class LoanClosed(FinanceError):
    """The loan is repaid or written off: nothing more can be posted to it."""

    code = "loan_closed"


class MarginCallOpen(FinanceError):
    """A margin call is open on the loan already."""

    code = "margin_call_open"


class NoMarginCall(FinanceError):
    """There is no open margin call to cure."""

    code = "no_margin_call"


class LtvRuleNotMet(FinanceError):
    """The loan-to-value the ledger computes does not allow this act (call, cure, sale)."""

    code = "ltv_rule_not_met"


class InterestMismatch(InvalidAmount):
    """Posted interest that is not the daily ACT/365 accrual on the loan's principal."""

    code = "interest_mismatch"
