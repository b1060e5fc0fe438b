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


class TraceOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    format: str
    origin: str
    query: dict[str, Any]
    checkpoint: str
    items: list[str]
    links: list[dict[str, Any]]
    events: list[dict[str, Any]]
    voided: list[dict[str, Any]]
    entries: list[dict[str, Any]]


class RecallOut(BaseModel):
    lot: str
    canonical_id: str
    end_items: list[dict[str, Any]]


class AuthenticityOut(BaseModel):
    id: str
    verdict: str
    origin: dict[str, Any] | None
    brand: dict[str, Any]
    certifications: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    events: list[int]
