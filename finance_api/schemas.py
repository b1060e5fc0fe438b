"""The shapes the API answers with, so the OpenAPI document says what each route returns.

Input is parsed by the domain (events from their wire form, EPCIS documents); these models
describe output. Every 4xx is :class:`ErrorBody`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ledger.http import ErrorBody, errors

__all__ = ["ErrorBody", "errors"]


class Confirmation(BaseModel):
    status: str = Field(description="not_required, pending, confirmed or rejected")
    parties: dict[str, str] = Field(description="each bound party and its answer")


class ReceiptOut(BaseModel):
    """The ledger's signed promise that the event is at ``seq`` (see the client's verify)."""

    origin: str
    seq: int
    event_id: str
    leaf_hash: str
    recorded_at: str
    signature: str = Field(description="Ed25519 by the ledger key, hex")


class EntryOut(BaseModel):
    seq: int
    event: dict[str, Any]
    leaf_hash: str
    chain_hash: str
    recorded_at: str
    format: int
    backfilled: bool
    confirmation: Confirmation | None = None
    receipt: ReceiptOut | None = None
    replayed: bool | None = Field(default=None, description="on appends: it was there already")


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
