"""Administration over HTTP (role admin or operator): API keys — issue, list, revoke.

A revocation takes effect at the key's next request: every request reads its key again.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from finance_api.auth import issue_api_key, list_api_keys, revoke_api_key
from finance_api.deps import AdminDep, LedgerDep
from finance_api.params import MAX_INSTANT_LENGTH, instant
from finance_api.routers.participants import ID_PATTERN
from finance_api.schemas import ApiKeyOut, IssuedKeyOut, RevokedOut, errors
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
