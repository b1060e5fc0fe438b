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
