"""The HTTP contract the service and the features share: one error body, documented.

Every 4xx of threeflow is ``{"error", "detail", "field"}`` (a refused EPCIS document adds
``reasons``); :func:`errors` lists, for a route, the statuses it may answer with that body,
so the OpenAPI document tells the truth about failures too.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Reason(BaseModel):
    path: str
    message: str


class ErrorBody(BaseModel):
    error: str = Field(description="a stable code, e.g. not_authorised, invalid_event")
    detail: str = Field(description="what is wrong, in words")
    field: str | None = Field(description="the request field at fault, if one is")
    reasons: list[Reason] | None = Field(
        default=None, description="every reason a document was refused (EPCIS capture)"
    )


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: each listed status answers an :class:`ErrorBody`."""
    return {status: {"model": ErrorBody, "description": _WHAT[status]} for status in statuses}


_WHAT = {
    400: "malformed request",
    401: "no API key, or an unknown, expired or revoked one",
    403: "the key's roles do not allow this, or the actor may not write this event",
    404: "no such thing, or nothing this caller may see",
    409: "conflicts with what the ledger holds",
    413: "the body is too large",
    422: "a field is invalid",
    429: "too many requests on this key (see Retry-After)",
}
