"""The client's errors: what the server refused, and what failed to verify.

:class:`ApiError` carries the server's error body (status, code, detail, field); subclasses
name the common statuses so callers can catch them. :class:`VerificationError` is raised
when something the ledger answered does not check out against the pinned key — the one
error a caller must never retry its way past.
"""

from __future__ import annotations

from typing import Any


class ClientError(Exception):
    """Root of every error the client raises on purpose."""


class ApiError(ClientError):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status = status
        self.code = str(body.get("error", "http_error"))
        self.detail = str(body.get("detail", ""))
        self.field = body.get("field")
        super().__init__(
            f"{status} {self.code}: {self.detail}" + (f" ({self.field})" if self.field else "")
        )


class Unauthorised(ApiError):
    pass


class Forbidden(ApiError):
    pass


class NotFound(ApiError):
    pass


class Conflict(ApiError):
    pass


class Invalid(ApiError):
    pass


class RateLimited(ApiError):
    def __init__(self, status: int, body: dict[str, Any], retry_after: float) -> None:
        super().__init__(status, body)
        self.retry_after = retry_after


class Unavailable(ClientError):
    """The server could not be reached or failed (5xx) after every retry."""


class VerificationError(ClientError):
    """A receipt, checkpoint or proof the ledger answered does not verify."""


class NotYetCovered(ClientError):
    """No signed checkpoint covers the entry yet: ask again after the next checkpoint."""


BY_STATUS: dict[int, type[ApiError]] = {
    401: Unauthorised,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    400: Invalid,
    413: Invalid,
    422: Invalid,
}


def api_error(status: int, body: Any, retry_after: str | None) -> ApiError:
    data = body if isinstance(body, dict) else {"detail": str(body)}
    if status == 429:
        try:
            wait = float(retry_after) if retry_after is not None else 1.0
        except ValueError:
            wait = 1.0
        return RateLimited(status, data, wait)
    return BY_STATUS.get(status, ApiError)(status, data)
