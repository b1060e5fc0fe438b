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
