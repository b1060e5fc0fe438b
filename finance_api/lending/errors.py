"""Refusals of lending rules: each a finance refusal (:class:`FinanceError`) with a code, a
4xx status and a field.

A projector raising one refuses the whole append (nothing is written); the HTTP layer
answers it as ``{"error", "detail", "field"}`` like any ledger error.
"""

from __future__ import annotations

from finance_api.domain.errors import FinanceError


class LendingError(FinanceError):
    """Root of every lending-rule refusal: a finance refusal like those of receipts."""

    code = "lending_error"
    status = 409


class UnknownLine(LendingError):
    """No credit line is open under that id."""

    code = "unknown_line"
    status = 404


class LineExists(LendingError):
    """A line was opened under that id already."""

    code = "line_exists"


class NotLineLender(LendingError):
    """Only the lender that opened a line may act on it."""

    code = "not_line_lender"
    status = 403


class BeyondAvailable(LendingError):
    """A drawdown larger than what the line has available."""

    code = "beyond_available"
    status = 422


class LineFrozen(LendingError):
    """The line is frozen (past due, covenant breach, review): nothing can be drawn."""

    code = "line_frozen"


class LineClosed(LendingError):
    """The line is closed, or closing, or past its expiry: nothing more happens on it."""

    code = "line_closed"


class LineDefaulted(LendingError):
    """The line is in default: no drawdown, and only recoveries and write-offs reduce it."""

    code = "line_defaulted"


class LinePastDue(LendingError):
    """The line has unpaid amounts past their due date: nothing can be drawn until paid."""

    code = "line_past_due"


class WrongState(LendingError):
    """The act does not fit the line's state (unfreeze a line that is not frozen...)."""

    code = "wrong_line_state"


class Overpayment(LendingError):
    """A repayment, recovery or write-off larger than what is owed on the line."""

    code = "overpayment"
    status = 422


class LineCurrencyMismatch(LendingError):
    """An amount in another currency than the line's."""

    code = "currency_mismatch"
    status = 422


class StatementMismatch(LendingError):
    """A statement whose closing balance is not the balance of the line's postings."""

    code = "statement_mismatch"
    status = 422


class InvalidSetting(LendingError):
    """A lending setting out of its range (a CCF above 100%, a negative rate...)."""

    code = "invalid_setting"
    status = 422


class InterestMismatch(LendingError):
    """Posted interest that is not the daily ACT/365 accrual on the line's principal."""

    code = "interest_mismatch"
    status = 422
