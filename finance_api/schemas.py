"""The shapes the API answers with, so the OpenAPI document says what each route returns.

Input is parsed by the domain (events from their wire form, EPCIS documents); these models
describe output. Every 4xx is :class:`ErrorBody`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    error: str = Field(description="a stable code, e.g. not_authorised, invalid_event")
    detail: str = Field(description="what is wrong, in words")
    field: str | None = Field(description="the request field at fault, if one is")


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


class Confirmation(BaseModel):
    status: str = Field(description="not_required, pending, confirmed or rejected")
    parties: dict[str, str] = Field(description="each bound party and its answer")


class EntryOut(BaseModel):
    seq: int
    event: dict[str, Any]
    leaf_hash: str
    chain_hash: str
    recorded_at: str
    format: int
    backfilled: bool
    confirmation: Confirmation | None = None


class EntriesOut(BaseModel):
    entries: list[EntryOut]


class PageOut(BaseModel):
    entries: list[EntryOut]
    next_cursor: int | None


class Health(BaseModel):
    status: str
    tree_size: int
    origin: str


class CheckpointOut(BaseModel):
    origin: str
    tree_size: int
    root_hash: str
    timestamp: int
    note: str


class InclusionOut(BaseModel):
    leaf_index: int
    tree_size: int
    leaf_hash: str
    audit_path: list[str]
    root_hash: str


class ConsistencyOut(BaseModel):
    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str]


class LedgerKeyOut(BaseModel):
    origin: str
    public_key: str = Field(description="the ledger's Ed25519 public key, hex")
    verifier_key: str = Field(description="C2SP signed-note verifier key (name+hash+key)")


class EventTypeOut(BaseModel):
    flow: str
    type: str
    summary: str
    payload_schema: dict[str, Any]
    authority: dict[str, Any]
    confirmation: dict[str, Any] | None
    example_payload: dict[str, Any]


class ApiKeyOut(BaseModel):
    key_id: str | None
    participant_id: str
    label: str
    roles: list[str] | None
    created_at: str
    expires_at: str | None
    revoked_at: str | None


class IssuedKeyOut(BaseModel):
    key_id: str
    participant_id: str
    roles: list[str] | None
    expires_at: str | None
    secret: str = Field(description="shown once: only its hash is kept")


class RevokedOut(BaseModel):
    key_id: str
    revoked: bool = Field(description="false when it was revoked already")


class AccessRecordOut(BaseModel):
    reader: str
    subject: str
    resource: str
    detail: str
    consent_id: str | None
    at: str


class AccessLogOut(BaseModel):
    records: list[AccessRecordOut]
