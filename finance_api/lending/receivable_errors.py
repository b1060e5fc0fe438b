"""Refusals of the receivable-finance rules (factoring and advance payment).

Each is a :class:`LendingError` (so a finance refusal, answered as ``{"error", "detail",
"field"}``) with its own code: the code is the rule a client reads to know what to fix.
"""

from __future__ import annotations

from finance_api.lending.errors import LendingError


class UnknownDocument(LendingError):
    """No invoice or order under that id is on the ledger."""

    code = "unknown_document"
    status = 404


class DocumentAmbiguous(LendingError):
    """Two documents were issued under that id: which one is financed cannot be told."""

    code = "document_ambiguous"


class DocumentNotConfirmed(LendingError):
    """An invoice its buyer has not confirmed, or an order its seller has not accepted."""

    code = "document_not_confirmed"


class DocumentCancelled(LendingError):
    """The order (of the invoice) was cancelled, or the buyer rejected the invoice."""

    code = "document_cancelled"


class DocumentDisputed(LendingError):
    """A dispute on the order is open: its goods or its price are contested."""

    code = "document_disputed"


class DocumentMismatch(LendingError):
    """The financing names another seller, debtor, amount or due date than the document."""

    code = "document_mismatch"
    status = 422


class AlreadyFinanced(LendingError):
    """The document, or the goods behind it (an invoice's order), is financed already."""

    code = "already_financed"


class AdvanceOutOfBounds(LendingError):
    """An advance rate outside the policy's bounds, an advance above it, a wrong reserve."""

    code = "advance_out_of_bounds"
    status = 422


class FinancingExists(LendingError):
    """A financing was recorded under that id already."""

    code = "financing_exists"


class UnknownFinancing(LendingError):
    """No financing under that id."""

    code = "unknown_financing"
    status = 404


class NotFinancingLender(LendingError):
    """Only the lender that financed the document acts on the financing."""

    code = "not_financing_lender"
    status = 403


class FinancingClosed(LendingError):
    """The financing is settled, written off or converted: nothing more happens on it."""

    code = "financing_closed"


class BeyondOutstanding(LendingError):
    """More collected than the face still unpaid, or more recourse than is owed."""

    code = "beyond_outstanding"
    status = 422


class NoRecourse(LendingError):
    """The financing is without recourse: the seller owes nothing if the debtor does not pay."""

    code = "no_recourse"


class NotPastDue(LendingError):
    """Recourse or a write-off before the due date has passed."""

    code = "not_past_due"


class AdvanceOutstanding(LendingError):
    """A settlement while part of the advance is still out (collect, recourse or write off)."""

    code = "advance_outstanding"


class SettlementMismatch(LendingError):
    """A fee, rebate, write-off or conversion amount other than the rule gives."""

    code = "settlement_mismatch"
    status = 422


class ConversionRefused(LendingError):
    """A conversion of something other than an advance payment, or into a loan that is not
    the same lender's receipt loan to the same seller, large enough to refinance it."""

    code = "conversion_refused"


class ReceivableCurrencyMismatch(LendingError):
    """An amount in another currency than the document's."""

    code = "currency_mismatch"
    status = 422
