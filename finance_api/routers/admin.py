"""Administration over HTTP (role admin or operator): onboarding, signing keys, API keys.

Registering a participant and adding or revoking its signing keys write operator-signed
registry entries; API keys are credentials kept beside the ledger. A revocation of either
takes effect at once: signing keys at the next append, API keys at the next request.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from finance_api import onboarding
from finance_api.auth import issue_api_key, list_api_keys, revoke_api_key
from finance_api.deps import AdminDep, LedgerDep
from finance_api.params import MAX_INSTANT_LENGTH, instant
from finance_api.routers.participants import ID_PATTERN
from finance_api.schemas import ApiKeyOut, EntriesOut, EntryOut, IssuedKeyOut, RevokedOut, errors
from ledger.core.event_types import ROLES

router = APIRouter(prefix="/v1/admin", tags=["admin"])
ERRORS = errors(401, 403, 404, 422, 429)


class NewKey(BaseModel):
    participant_id: str = Field(pattern=ID_PATTERN)
    label: str = Field(default="api", min_length=1, max_length=200)
    roles: list[str] | None = Field(
        default=None,
        max_length=len(ROLES),
        description="limit the key to these of the participant's roles (default: all)",
    )
    expires_at: str | None = Field(default=None, max_length=MAX_INSTANT_LENGTH)


@router.post(
    "/api-keys",
    status_code=201,
    summary="Issue an API key; the secret is in this answer only",
    response_model=IssuedKeyOut,
    responses=ERRORS,
)
async def post_api_key(ledger: LedgerDep, caller: AdminDep, body: NewKey) -> dict[str, Any]:
    expires = instant(body.expires_at, "expires_at")

    def issue() -> dict[str, Any]:
        issued = issue_api_key(
            ledger,
            body.participant_id,
            body.label,
            ledger.clock.now(),
            roles=body.roles,
            expires_at=expires,
        )
        return issued.to_json()

    return await run_in_threadpool(issue)


@router.get(
    "/api-keys", summary="API keys (never their secrets)", response_model=list[ApiKeyOut],
    responses=ERRORS,
)  # fmt: skip
async def get_api_keys(
    ledger: LedgerDep,
    caller: AdminDep,
    participant: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
) -> list[dict[str, Any]]:
    return await run_in_threadpool(list_api_keys, ledger, participant)


@router.delete(
    "/api-keys/{key_id}",
    summary="Revoke an API key, effective at its next request",
    response_model=RevokedOut,
    responses=ERRORS,
)
async def delete_api_key(
    ledger: LedgerDep,
    caller: AdminDep,
    key_id: Annotated[str, Path(pattern="^[0-9a-f]{16}$")],
) -> dict[str, Any]:
    revoked = await run_in_threadpool(revoke_api_key, ledger, key_id, ledger.clock.now())
    return {"key_id": key_id, "revoked": revoked}


class NewParticipant(BaseModel):
    participant_id: str = Field(pattern=ID_PATTERN)
    legal_name: str = Field(min_length=1, max_length=500)
    roles: list[str] = Field(min_length=1, max_length=len(ROLES))
    country: str | None = Field(default=None, pattern="^[A-Z]{2}$")
    gs1_prefixes: list[str] = Field(default_factory=list, max_length=50)
    public_key: str = Field(pattern="^[0-9a-f]{64}$", description="its first Ed25519 key, hex")
    valid_from: str | None = Field(default=None, max_length=MAX_INSTANT_LENGTH)


class NewSigningKey(BaseModel):
    public_key: str = Field(pattern="^[0-9a-f]{64}$")
    valid_from: str | None = Field(default=None, max_length=MAX_INSTANT_LENGTH)
    valid_until: str | None = Field(default=None, max_length=MAX_INSTANT_LENGTH)


@router.post(
    "/participants",
    status_code=201,
    summary="Register a participant with roles, country, GS1 prefixes and its first key",
    response_model=EntriesOut,
    responses=errors(401, 403, 409, 422, 429),
)
async def post_participant(
    ledger: LedgerDep, caller: AdminDep, body: NewParticipant
) -> dict[str, Any]:
    valid_from = instant(body.valid_from, "valid_from")
    entries = await run_in_threadpool(
        onboarding.register, ledger, body.participant_id, body.legal_name, body.roles,
        body.country, body.public_key, valid_from, body.gs1_prefixes,
    )  # fmt: skip
    return {"entries": [entry.to_json() for entry in entries]}


@router.post(
    "/participants/{participant_id}/keys",
    status_code=201,
    summary="Add a signing key to a participant (rotation by the operator)",
    response_model=EntryOut,
    responses=ERRORS,
)
async def post_key(
    ledger: LedgerDep,
    caller: AdminDep,
    participant_id: Annotated[str, Path(pattern=ID_PATTERN)],
    body: NewSigningKey,
) -> dict[str, Any]:
    valid_from = instant(body.valid_from, "valid_from")
    valid_until = instant(body.valid_until, "valid_until")
    entry = await run_in_threadpool(
        onboarding.add_key, ledger, participant_id, body.public_key, valid_from, valid_until
    )
    return entry.to_json()


@router.delete(
    "/participants/{participant_id}/keys/{key_id}",
    summary="Revoke a participant's signing key: it signs nothing recorded after this",
    response_model=EntryOut,
    responses=errors(401, 403, 404, 422, 429),
)
async def delete_key(
    ledger: LedgerDep,
    caller: AdminDep,
    participant_id: Annotated[str, Path(pattern=ID_PATTERN)],
    key_id: Annotated[str, Path(pattern="^[0-9a-f]{16}$")],
    reason: Annotated[str, Query(max_length=200)] = "",
) -> dict[str, Any]:
    entry = await run_in_threadpool(ledger.revoke_key, participant_id, key_id, reason)
    return entry.to_json()
