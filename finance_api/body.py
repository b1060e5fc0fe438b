"""Request bodies: bounded in size while they stream in, parsed off the event loop.

:class:`BodyLimit` refuses a body whose ``Content-Length`` is over the limit before reading
it, and counts the chunks of one that does not say (or lies), refusing as soon as the count
passes the limit — nothing is buffered beyond it. :func:`json_body` then measures the depth
and parses in a worker thread, so a large or deeply nested body never holds up the loop
that serves everybody else.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledger.core.canonical import loads_plain
from ledger.core.errors import InvalidEvent, LedgerError
from ledger.core.jsondepth import too_deep

MAX_BODY = 32 * 1024 * 1024
MAX_DEPTH = 64


class BodyTooLarge(LedgerError):
    code = "body_too_large"
    status = 413


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0:
                    await _answer(send, 400, "invalid_request", "Content-Length is not a number")
                    return
                if declared > limit:
                    await _answer(send, 413, BodyTooLarge.code, _too_large(limit))
                    return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(_too_large(limit), field="body")
            return message

        await self.app(scope, counted, send)


def _too_large(limit: int) -> str:
    return f"the body is larger than {limit} bytes"


async def _answer(send: Send, status: int, code: str, detail: str) -> None:
    body = json.dumps({"error": code, "detail": detail, "field": "body"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def parse_json(data: bytes) -> Any:
    """Depth first (the C scanner can overflow a thread's stack), then the parser."""
    if too_deep(data, MAX_DEPTH):
        raise InvalidEvent(f"the body nests deeper than {MAX_DEPTH} levels", field="body")
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise InvalidEvent("the request body is not valid JSON", field="body") from None


def parse_json_plain(data: bytes) -> tuple[Any, bool]:
    """:func:`parse_json`'s value, and whether it is what ``loads_plain`` returned: the same
    value, known to be in canonical's fast domain but for ASCII, so that its events'
    bytes need no walk over their types (:func:`ledger.core.canonical.canonicalize_plain`).
    """
    if too_deep(data, MAX_DEPTH):
        raise InvalidEvent(f"the body nests deeper than {MAX_DEPTH} levels", field="body")
    plain = loads_plain(data)
    if plain is not None:
        return plain, True
    return parse_json(data), False


async def json_body(request: Request) -> Any:
    data = await request.body()
    return await run_in_threadpool(parse_json, data)
