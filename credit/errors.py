"""One error root for the credit package.

Every refusal the credit package makes on purpose is a :class:`CreditError` subclass that
names the failure and, where it helps, the field, so the HTTP layer can map it to a 4xx
body in one handler, as it does for ``LedgerError``. Refusals of bad *input* also subclass
``ValueError``, because scikit-learn's model-selection tools (and its estimator checks)
recognise invalid data by that type.

``NotFitted`` (a method called before ``fit``) lives in ``credit.models.validation``: it
must also be scikit-learn's ``NotFittedError``, and this module stays free of heavy imports
so ``import credit`` is cheap.
"""

from __future__ import annotations


class CreditError(Exception):
    """Root of every error the credit package raises on purpose."""

    status: int = 400
    code: str = "credit_error"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{where}{self.detail}"


class InvalidInput(CreditError, ValueError):
    """The features or the target cannot be used: wrong shape, unknown labels, one class."""

    code = "invalid_input"
    status = 422


class SchemaMismatch(CreditError):
    """A saved model was made for another feature schema than the caller expects."""

    code = "schema_mismatch"
    status = 409

    def __init__(self, detail: str, *, expected: str, found: str) -> None:
        super().__init__(detail, field="feature_schema_hash")
        self.expected = expected
        self.found = found


class ArtifactInvalid(CreditError):
    """A model artifact is missing, malformed, of an unknown format, or has been edited."""

    code = "artifact_invalid"
    status = 422


class ArtifactTampered(ArtifactInvalid):
    """The parameters of an artifact no longer hash to the content hash in its card."""

    code = "artifact_tampered"

    def __init__(self, detail: str, *, expected: str, calculated: str) -> None:
        super().__init__(detail, field="content_sha256")
        self.expected = expected
        self.calculated = calculated
