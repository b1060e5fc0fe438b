"""What the traceability routes answer, for the OpenAPI document (the errors are shared)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class CapturedOut(BaseModel):
    hash_id: str
    seq: int
    event_type: str
    duplicate: bool


class CaptureOut(BaseModel):
    captured_by: str
    events: list[CapturedOut]


class FoundOut(BaseModel):
    seq: int
    hash_id: str
    event: dict[str, Any]


class EpcisEventsOut(BaseModel):
    """A page of events, or (``format=document``) an EPCIS 2.0 JSON-LD document."""

    model_config = ConfigDict(extra="allow")

    events: list[FoundOut] | None = None
    next_after: int | None = None


class ProvenOut(BaseModel):
    """The envelope every traceability answer carries (see ``threeflow verify-trace``)."""

    model_config = ConfigDict(extra="allow")

    format: str
    origin: str
    as_of: int
    checkpoint: str
    completeness: str
    keys: list[int]
    entries: list[dict[str, Any]]
    statement: str


class TraceOut(ProvenOut):
    query: dict[str, Any]
    items: list[str]
    links: list[dict[str, Any]]
    events: list[dict[str, Any]]
    voided: list[dict[str, Any]]
    business_transactions: list[dict[str, Any]]


class RecallOut(ProvenOut):
    query: dict[str, Any]
    items: list[str]
    end_items: list[dict[str, Any]]


class AuthenticityOut(ProvenOut):
    query: dict[str, Any]
    id: str
    verdict: str
    commissioning: dict[str, Any] | None
    brand: dict[str, Any]
    certifications: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    events: list[int]
