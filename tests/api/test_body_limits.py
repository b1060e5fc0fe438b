"""Bodies are bounded while they stream in, and parsed where they cannot stall the loop.

The limit is checked on ``Content-Length`` before a byte is read, and on the running count
of chunks for a body that does not declare its length (or lies about it). Parsing and the
depth scan run in a worker thread: a request whose parsing is held up does not keep
``/health`` from being answered on the same event loop.
"""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from finance_api import body as body_module
from finance_api.app import create_app
from finance_api.auth import create_api_key
from finance_api.body import BodyLimit
from ledger.core.clock import FixedClock
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from tests.api.conftest import NOW, World


async def _echo(scope: Any, receive: Any, send: Any) -> None:
    """An app that reads its whole body and answers its length."""
    size = 0
    while True:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    payload = json.dumps({"read": size}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": payload})


def _run(app: Any, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> dict[str, Any]:
    sent: list[dict[str, Any]] = []
    given = {"chunks": 0}

    async def receive() -> dict[str, Any]:
        index = given["chunks"]
        given["chunks"] += 1
        return {
            "type": "http.request",
            "body": chunks[index] if index < len(chunks) else b"",
            "more_body": index < len(chunks) - 1,
        }

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    try:
        asyncio.run(app(scope, receive, send))
    except body_module.BodyTooLarge as exc:  # the app's error handler would render this
        return {"status": exc.status, "chunks_read": given["chunks"], "error": exc.code}
    start = next(m for m in sent if m["type"] == "http.response.start")
    return {"status": start["status"], "chunks_read": given["chunks"], "sent": sent}


def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    limited = BodyLimit(_echo, max_bytes=1000)
    outcome = _run(limited, [(b"content-length", b"5000")], [b"x" * 5000])
    assert outcome["status"] == 413
    assert outcome["chunks_read"] == 0
    body = json.loads(outcome["sent"][-1]["body"])
    assert body == {"error": "body_too_large", "detail": body["detail"], "field": "body"}


def test_an_undeclared_body_is_cut_off_once_it_passes_the_limit() -> None:
    limited = BodyLimit(_echo, max_bytes=1000)
    outcome = _run(limited, [], [b"x" * 400] * 100)
    assert outcome["status"] == 413
    assert outcome["chunks_read"] == 3  # 1,200 bytes: refused at the third chunk of 100


def test_a_body_within_the_limit_passes_whole() -> None:
    limited = BodyLimit(_echo, max_bytes=1000)
    outcome = _run(limited, [(b"content-length", b"800")], [b"x" * 400, b"x" * 400])
    assert outcome["status"] == 200
    assert json.loads(outcome["sent"][-1]["body"]) == {"read": 800}


def test_a_lying_content_length_is_refused() -> None:
    outcome = _run(BodyLimit(_echo, max_bytes=1000), [(b"content-length", b"-4")], [b""])
    assert outcome["status"] == 400


def test_the_service_answers_413_with_the_error_body(world: World) -> None:
    big = b"[" + b"0," * (17 * 1024 * 1024) + b"0]"
    response = world.client.post(
        "/v1/events",
        content=big,
        headers={**world.buyer.headers, "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["field"] == "body"


def test_health_is_answered_while_a_body_is_being_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held, parsing = threading.Event(), threading.Event()
    real = body_module.parse_json

    def slow_parse(data: bytes) -> Any:
        parsing.set()
        assert held.wait(timeout=30), "health was never answered while parsing"
        return real(data)

    monkeypatch.setattr(body_module, "parse_json", slow_parse)
    ledger = Ledger.open(
        f"sqlite:///{tmp_path / 'loop.db'}", ledger_key=SigningKey(bytes(32)),
        clock=FixedClock(NOW),
    )  # fmt: skip
    key = {"X-API-Key": create_api_key(ledger, "operator", "test", NOW)}
    app = create_app(ledger)

    async def scenario() -> tuple[int, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            posting = asyncio.create_task(client.post("/v1/events", content=b"[]", headers=key))
            while not parsing.is_set():
                await asyncio.sleep(0.01)
            health = await client.get("/health")  # served while the parse is held
            held.set()
            return health.status_code, (await posting).status_code

    health, posted = asyncio.run(scenario())
    ledger.close()
    assert health == 200
    assert posted == 422  # a list is no event: refused once parsed, after health was served
