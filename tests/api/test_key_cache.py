"""Known API keys are kept in memory; refusals are exactly as prompt as without the cache.

The server keeps what never changes about a key it has seen (holder, roles, expiry) and
reads only its revocation from the database on each request. These tests revoke, expire
and delete keys *after* the server has cached them, by every route a key can die (the
admin route, another process as the command line would, a hand-edited database), on
SQLite and PostgreSQL, and check the very next request is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from finance_api.app import create_app
from finance_api.auth import issue_api_key, revoke_api_key
from finance_api.ratelimit import RateLimiter
from ledger.core.clock import FixedClock
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from ledger.storage.models import ApiKey
from tests.ledger.conftest import ledger_url, postgres_store, sqlite_store, store  # noqa: F401
from tests.ledger.scenario import NOW, open_ledger

REFUSED = {"error": "unauthorized", "detail": "unknown, expired or revoked API key",
           "field": "X-API-Key"}  # fmt: skip


@dataclass
class Server:
    client: TestClient
    ledger: Ledger
    clock: FixedClock
    url: str

    def get(self, secret: str) -> int:
        return int(self.client.get("/v1/events", headers={"X-API-Key": secret}).status_code)

    def cached(self) -> int:
        return len(self.client.app.state.keys._known)  # type: ignore[attr-defined]


def _server(url: str, limiter: RateLimiter | None = None) -> Iterator[Server]:
    clock = FixedClock(NOW)
    with open_ledger(url, clock=clock) as ledger:
        ledger.register_participant(
            "buyer-1", "Buyer", ["buyer"], "CN", SigningKey.generate().public_key,
            NOW - timedelta(days=30),
        )  # fmt: skip
        with TestClient(create_app(ledger, limiter=limiter)) as client:
            yield Server(client, ledger, clock, url)


@pytest.fixture
def server(ledger_url: str) -> Iterator[Server]:  # noqa: F811
    yield from _server(ledger_url)


def _issue(server: Server, **kwargs: object) -> tuple[str, str]:
    issued = issue_api_key(server.ledger, "buyer-1", "t", NOW, **kwargs)  # type: ignore[arg-type]
    return issued.secret, issued.key_id


def test_a_key_revoked_by_another_process_is_refused_at_the_next_request(
    server: Server,
) -> None:
    secret, key_id = _issue(server)
    assert [server.get(secret), server.get(secret)] == [200, 200]
    assert server.cached() == 1  # the second request was answered from the cache
    with open_ledger(server.url) as elsewhere:  # as `threeflow apikey-revoke` would
        assert revoke_api_key(elsewhere, key_id, NOW)
    refused = server.client.get("/v1/events", headers={"X-API-Key": secret})
    assert refused.status_code == 401
    assert refused.json() == REFUSED
    assert server.cached() == 0
    assert server.get(secret) == 401  # and stays refused, read in full again


def test_an_expired_key_is_refused_at_the_next_request(server: Server) -> None:
    secret, _ = _issue(server, expires_at=NOW + timedelta(minutes=1))
    assert [server.get(secret), server.get(secret)] == [200, 200]
    server.clock.set(NOW + timedelta(minutes=1))  # expiry is exclusive: at it, refused
    assert server.get(secret) == 401


def test_a_key_row_deleted_by_hand_opens_nothing(server: Server) -> None:
    secret, key_id = _issue(server)
    assert server.get(secret) == 200
    with server.ledger.unit_of_work(lock=False) as uow:
        uow.connection.execute(delete(ApiKey).where(ApiKey.key_id == key_id))
        uow.commit()
    assert server.get(secret) == 401


def test_a_key_limited_to_roles_keeps_its_limit_when_cached(server: Server) -> None:
    server.ledger.register_participant(
        "trader-1", "Trader", ["seller", "buyer"], "DE", SigningKey.generate().public_key,
        NOW - timedelta(days=30),
    )  # fmt: skip
    issued = issue_api_key(server.ledger, "trader-1", "t", NOW, roles=["buyer"])
    headers = {"X-API-Key": issued.secret}
    for _ in range(2):  # a miss, then a hit: both refuse administration the same way
        answer = server.client.get("/v1/admin/api-keys", headers=headers)
        assert answer.status_code == 403


def test_guessed_keys_are_never_cached(server: Server) -> None:
    for n in range(20):
        assert server.get(f"tf_guess{n}") == 401
    assert server.cached() == 0


def test_rate_limits_still_answer_429_for_cached_keys(ledger_url: str) -> None:  # noqa: F811
    ticks = iter(float(n) * 0.001 for n in range(1000))
    limiter = RateLimiter(rate=1.0, burst=3, clock=lambda: next(ticks))
    for server in _server(ledger_url, limiter):
        secret, _ = _issue(server)
        answers = [server.get(secret) for _ in range(5)]
        assert answers == [200, 200, 200, 429, 429]
        refused = server.client.get("/v1/events", headers={"X-API-Key": secret})
        assert refused.json()["error"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) >= 1


def test_keys_checked_together_get_each_the_answer_they_get_alone(server: Server) -> None:
    from finance_api.auth import KeyCache

    live, _ = _issue(server)
    revoked, revoked_id = _issue(server)
    expiring, _ = _issue(server, expires_at=NOW + timedelta(minutes=1))
    keys = KeyCache(server.ledger)
    for secret in (live, revoked, expiring):
        keys.authenticate(secret)  # known now: each check is the revocation read
    assert revoke_api_key(server.ledger, revoked_id, NOW)
    server.clock.set(NOW + timedelta(minutes=1))
    asked = [live, revoked, expiring, "tf_guessed", None, "x" * 201, live]
    together = KeyCache(server.ledger)
    together._known = dict(keys._known)  # the same keys known, for the alone answers below
    answers = together.authenticate_many(asked)

    def alone(secret: str | None) -> object:
        try:
            return keys.authenticate(secret)
        except Exception as exc:  # compared below, as the group's answers
            return (type(exc), str(exc), getattr(exc, "field", None))

    for secret, answer in zip(asked, answers, strict=True):
        shown = (
            (type(answer), str(answer), getattr(answer, "field", None))
            if isinstance(answer, Exception)
            else answer
        )
        assert shown == alone(secret), secret
    assert answers[0] == answers[-1]
    refused = [isinstance(a, Exception) for a in answers]
    assert refused == [False, True, True, True, True, True, False]
    assert together.authenticate_many([]) == []
