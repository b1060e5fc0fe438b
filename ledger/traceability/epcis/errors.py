"""Why an EPCIS document or event was refused.

Every refusal in :mod:`ledger.epcis` is an :class:`EpcisError`, a :class:`LedgerError`, so the
API maps it to a 4xx body in its one handler. A document is refused whole: ``reasons`` lists
every problem found, each with the JSON path it concerns (``$.epcisBody.eventList[0].action``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.core.errors import LedgerError


@dataclass(frozen=True, slots=True)
class Reason:
    """One problem in a document: where (a JSON path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class EpcisError(LedgerError):
    """An EPCIS document or event cannot be accepted."""

    code = "epcis_invalid"
    status = 422

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        reasons: tuple[Reason, ...] | list[Reason] = (),
    ) -> None:
        super().__init__(detail, field=field)
        self.reasons: tuple[Reason, ...] = tuple(reasons)

    def __str__(self) -> str:
        if not self.reasons:
            return self.detail
        listed = "; ".join(str(r) for r in self.reasons[:10])
        more = f" (+{len(self.reasons) - 10} more)" if len(self.reasons) > 10 else ""
        return f"{self.detail}: {listed}{more}"


class EpcisSyntaxError(EpcisError):
    """The bytes are not well-formed JSON or XML, or not an EPCIS document at all."""

    code = "epcis_syntax"
    status = 400


class EpcisSchemaError(EpcisError):
    """The document does not conform to the EPCIS 2.0 JSON schema."""

    code = "epcis_schema"
