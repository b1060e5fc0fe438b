"""The hottest answers sent before FastAPI's routing, when nothing is left to decide.

Polled hardest: ``/health``, ``/v1/checkpoints/latest``, proofs, and a
participant's own score already computed. For them FastAPI's per-request work — matching
some fifty routes, solving dependencies, validating the answer — costs several times the
answer itself. :class:`FastPath` sits inside :class:`~finance_api.body.BodyLimit` (so
bodies are bounded exactly as before) and answers only the plain success of a request it
fully understands, with the very bytes the route would send (the same caches and the same
functions as the routes; a proof not served before is made here, off the loop). Anything
else — an unusual query string, a score not in memory, a missing or refused key, a rate
limit reached, a refused proof, a degraded database — goes on to the app untouched, which
decides and words every refusal exactly as it always has. The key is checked as the route
checks it (:class:`~finance_api.auth.KeyCache`, its revocation read off the loop) and the
rate limit is spent once: here when answered here, in the app otherwise.

One exception to "success only": a score shown to another party (a lender's read, recorded
on the ledger) runs the route's own function here, after the rate limit is taken, so a
refusal it meets (nobody you may see) is answered here, with the app's own error handler,
rather than spending the limit twice.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from finance_api.auth import KeyCache
from finance_api.deps import SCOPE_CALLER, key_checks
from finance_api.errors import ledger_error_response
from finance_api.params import MAX_SEQ
from finance_api.ratelimit import RateLimited, RateLimiter
from finance_api.routers.credit import score_body
from finance_api.routers.credit_service import CreditService
from finance_api.routers.participants import ID_PATTERN
from finance_api.routers.public import fresh_head, proof_json
from finance_api.schemas import Health
from finance_api.snapshot import Rendered, Snapshot
from ledger.core.access import Caller
from ledger.core.errors import LedgerError
from ledger.log import Ledger
from ledger.trust.access import READ_ALL

CREDIT = "/v1/credit/"
_NUMBER = r"(0|[1-9][0-9]{0,18})"
_PROOF = re.compile(rf"seq={_NUMBER}(?:&tree_size={_NUMBER})?")
_CONSISTENCY = re.compile(rf"first={_NUMBER}(?:&second={_NUMBER})?")
_PARTICIPANT = re.compile(ID_PATTERN)


class FastPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._health: tuple[int, bytes] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and not scope.get("root_path"):
            body = await self._answer(scope)
            if isinstance(body, Response):  # refused, in the app's own words
                await body(scope, receive, send)
                return
            if body is not None:
                await _send(send, body)
                return
        await self.app(scope, receive, send)

    async def _answer(self, scope: Scope) -> bytes | Response | None:
        path: str = scope["path"]
        state = scope["app"].state
        if path == "/health":
            return self._healthy(state.snapshot)
        if path == "/v1/checkpoints/latest":
            head = fresh_head(state.snapshot)
            return None if head is None else head.body
        if path == "/v1/proofs/inclusion":
            return await _proof(state, scope.get("query_string", b""))
        if path == "/v1/proofs/consistency":
            return await _proof(state, scope.get("query_string", b""), "consistency")
        if path.startswith(CREDIT):
            return await _score(scope, state, path[len(CREDIT) :])
        return None

    def _healthy(self, snapshot: Snapshot) -> bytes | None:
        head = snapshot.head
        if head is None or not snapshot.healthy():
            return None  # the route answers 503 and says why
        ledger = snapshot.ledger
        size = max(head.tree_size, ledger.known_sizes()[0])
        cached = self._health
        if cached is None or cached[0] != size:
            answer = Health(status="ok", tree_size=size, origin=ledger.origin)
            cached = self._health = (size, Health.__pydantic_serializer__.to_json(answer))
        return cached[1]


async def _proof(state: Any, query: bytes, kind: str = "inclusion") -> bytes | None:
    """A proof asked in the plain form (``seq=N`` then maybe ``&tree_size=M``, or
    ``first=N`` then maybe ``&second=M``; decimal, in the route's ranges), made or
    remembered by the route's own function; a request the ledger refuses goes on to the
    route, which refuses it in its own words."""
    pattern, lowest = (_PROOF, 0) if kind == "inclusion" else (_CONSISTENCY, 1)
    match = pattern.fullmatch(query.decode("latin-1"))
    if match is None:
        return None
    seq, size = int(match.group(1)), match.group(2)
    tree_size = None if size is None else int(size)
    if not lowest <= seq <= MAX_SEQ or (tree_size is not None and not 1 <= tree_size <= MAX_SEQ):
        return None
    try:
        return await proof_json(state, kind, seq, tree_size)
    except (LedgerError, SQLAlchemyError):  # refused, or the database is down: the route
        # answers as it always has (a bug here is not hidden behind a second try)
        return None


async def _score(scope: Scope, state: Any, participant: str) -> bytes | Response | None:
    """A score: one's own (or an auditor's read) from memory, as before; a score shown to
    another party the full way, as the route does it (below)."""
    if "/" in participant or len(participant) > 200 or not _PARTICIPANT.fullmatch(participant):
        return None
    service: CreditService | None = getattr(state, "credit", None)
    rendered: Rendered | None = getattr(state, "scores_rendered", None)
    secret = _header(scope, b"x-api-key")
    keys: KeyCache | None = getattr(state, "keys", None)
    ledger: Ledger = state.ledger
    if service is None or rendered is None or secret is None or keys is None:
        return None
    if keys.ledger is not ledger:
        return None
    try:
        caller = await key_checks(state, keys).ask(secret)
    except LedgerError:
        return None  # the app refuses it, in its own words
    scope[SCOPE_CALLER] = (secret, caller)  # the app need not read the key a second time
    hit = service.unrecorded_hit(ledger, caller, participant)
    if hit is None:
        if participant == caller.participant_id or caller.roles & READ_ALL:
            return None  # not computed yet at this checkpoint: the route computes it
        return await _recorded(state, service, ledger, caller, participant, rendered)
    body = rendered.get((service, hit[0], participant))
    if body is None:
        return None
    limiter: RateLimiter = state.limiter
    try:
        limiter.take_for(caller)
    except RateLimited:  # nothing was spent: the app takes (and refuses) it itself
        return None
    return body


async def _recorded(
    state: Any,
    service: CreditService,
    ledger: Ledger,
    caller: Caller,
    participant: str,
    rendered: Rendered,
) -> bytes | Response | None:
    """Another party's score (a lender's, under consent): the route's own function
    (:func:`~finance_api.routers.credit.score_body`), which records the score on the
    ledger before it is shown, without FastAPI's routing and dependencies in
    front of it, which cost more than the rest of the answer. Its rate limit is taken here
    first (a key over its rate goes on to the app, nothing spent, nothing recorded), so a
    refusal after it (nobody you may see, no model) is answered here, exactly as the app's
    handler words it, instead of spending the limit twice. A database error goes up as it
    would from the route."""
    limiter: RateLimiter = state.limiter
    try:
        limiter.take_for(caller)
    except RateLimited:
        return None
    try:
        return await score_body(service, ledger, caller, participant, rendered)
    except LedgerError as exc:
        return ledger_error_response(exc)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def _send(send: Send, body: bytes) -> None:
    headers = [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
