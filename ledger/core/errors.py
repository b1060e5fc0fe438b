"""One error root for the ledger.

Verification raises; it never returns a bool. Every refusal is a subclass of
:class:`LedgerError` that names the failure and, where it helps, the field and the entry,
so the CLI can print it and the HTTP layer can map it to a 4xx body in one handler.
"""

from __future__ import annotations


class LedgerError(Exception):
    """Root of every error the ledger raises on purpose."""

    status: int = 400
    code: str = "ledger_error"

    def __init__(self, detail: str, *, field: str | None = None, seq: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.seq = seq

    def __str__(self) -> str:
        where = f"entry {self.seq}: " if self.seq is not None else ""
        return f"{where}{self.detail}"


class InvalidEvent(LedgerError):
    """The event is malformed: unknown flow or type, bad payload, bad field."""

    code = "invalid_event"
    status = 422


class SignatureInvalid(LedgerError):
    """A signature does not verify against the key it names."""

    code = "signature_invalid"
    status = 422


class UnknownKey(LedgerError):
    """The actor or key is unknown, revoked, or outside its validity window."""

    code = "unknown_key"
    status = 422


class UnknownParticipant(LedgerError):
    code = "unknown_participant"
    status = 404


class Conflict(LedgerError):
    """The same id was submitted with different content."""

    code = "conflict"
    status = 409


class NotFound(LedgerError):
    code = "not_found"
    status = 404


class ProofError(LedgerError):
    """A Merkle proof was asked for impossible sizes, or does not verify."""

    code = "proof_error"
    status = 400


class CheckpointError(LedgerError):
    """A checkpoint note is malformed or its signature does not verify."""

    code = "checkpoint_error"
    status = 422


class VerificationFailed(LedgerError):
    """The ledger (or a bundle of it) is not what it claims to be."""

    code = "verification_failed"
    status = 422


class Unauthorized(LedgerError):
    code = "unauthorized"
    status = 401


class Forbidden(LedgerError):
    code = "forbidden"
    status = 403


class NotAuthorised(Forbidden):
    """The actor may not write this event: its role, or a payload field naming another party.

    ``rule`` is the declared authority rule the event broke, stated in words.
    """

    code = "not_authorised"

    def __init__(self, detail: str, *, field: str | None = None, rule: str = "") -> None:
        super().__init__(f"{detail} (rule: {rule})" if rule else detail, field=field)
        self.rule = rule
