"""Why a traceability request or a trace file was refused (all :class:`LedgerError`)."""

from __future__ import annotations

from ledger.core.errors import LedgerError


class QueryError(LedgerError):
    """A query parameter is unknown or malformed; ``field`` names it."""

    code = "invalid_query"
    status = 422


class TraceVerificationFailed(LedgerError):
    """A trace file does not prove what it claims; ``field`` says where it went wrong."""

    code = "trace_verification_failed"
    status = 422
