"""``GET /v1/risk/alerts/stream``: a lender's alerts as Server-Sent Events, live.

The stream starts after a cursor (the ``Last-Event-ID`` a reconnecting browser sends, or
``after``), sends every alert of the caller from there in the order ``GET /v1/risk/alerts``
pages them, then polls for new ones; each event's id is the alert's id
(``seq:kind:subject``), so a client that reconnects with the last id it saw resumes with the
next alert, none lost and none twice. Reads run in the thread pool and the wait between
polls is ``asyncio.sleep``: the event loop is never blocked. A comment line every
``heartbeat`` seconds keeps proxies from closing an idle stream. Streams are bounded per
caller and in all (429 beyond), and end cleanly: on client disconnect (Starlette cancels the
generator; the slot is given back in ``finally``) and on server shutdown, when
:func:`close_streams` (called by :class:`ClosingServer` on SIGTERM/SIGINT) makes each send a
``shutdown`` event and return, so uvicorn's graceful shutdown is not held open by them.
A stream lives at most ``max_seconds`` (then ``event: reconnect``), so a slot is never held
forever by a client that reads nothing.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from sqlalchemy import and_, or_, select
from starlette.concurrency import run_in_threadpool

from finance_api.lending.alert_tables import every_alert
from finance_api.lending.errors import LendingError
from finance_api.lending.webhooks import alert_json
from ledger.core.errors import InvalidEvent
from ledger.log import Ledger

Cursor = tuple[int, str, str]  # (seq, kind, subject) of the last alert sent; ("", "") = whole entry


class TooManyStreams(LendingError):
    """A caller (or the server) has as many alert streams open as it may."""

    code = "too_many_streams"
    status = 429


@dataclass(frozen=True, slots=True)
class StreamLimits:
    per_caller: int = 4
    total: int = 200
    poll_seconds: float = 1.0
    heartbeat_seconds: float = 15.0
    batch: int = 200
    max_seconds: float = 3600.0  # then `event: reconnect`: the client resumes by its last id


class Streams:
    """The open streams of one app: counts per caller, and the shutdown signal."""

    def __init__(self, limits: StreamLimits = StreamLimits()) -> None:
        self.limits = limits
        self.open: dict[str, int] = {}
        self.closing = False
        _ALL.add(self)

    def acquire(self, caller: str) -> None:
        if self.closing:
            raise TooManyStreams("the server is shutting down", field="X-API-Key")
        if sum(self.open.values()) >= self.limits.total:
            raise TooManyStreams(f"the server has {self.limits.total} alert streams open",
                                 field="X-API-Key")  # fmt: skip
        if self.open.get(caller, 0) >= self.limits.per_caller:
            raise TooManyStreams(f"at most {self.limits.per_caller} alert streams per caller",
                                 field="X-API-Key")  # fmt: skip
        self.open[caller] = self.open.get(caller, 0) + 1

    def release(self, caller: str) -> None:
        left = self.open.get(caller, 0) - 1
        if left > 0:
            self.open[caller] = left
        else:
            self.open.pop(caller, None)

    def close(self) -> None:
        """Make every stream send ``shutdown`` and end at its next tick (any thread)."""
        self.closing = True


_ALL: weakref.WeakSet[Streams] = weakref.WeakSet()


def close_streams() -> None:
    for streams in list(_ALL):
        streams.close()


class ClosingServer(uvicorn.Server):
    """uvicorn's server, ending alert streams first when asked to exit."""

    def handle_exit(self, sig: int, frame: Any) -> None:
        close_streams()
        super().handle_exit(sig, frame)


def parse_cursor(last_event_id: str | None, after: int) -> Cursor:
    """The stream's start: ``Last-Event-ID`` (an alert id, or an entry number) over ``after``."""
    if last_event_id is None or not last_event_id.strip():
        return (after, "", "")
    text = last_event_id.strip()
    parts = text.split(":", 2)
    try:
        seq = int(parts[0])
    except ValueError:
        raise InvalidEvent("must be an alert id (seq:kind:subject) or an entry number",
                           field="Last-Event-ID") from None  # fmt: skip
    if seq < -1 or len(text) > 300 or len(parts) == 2:
        raise InvalidEvent("must be an alert id (seq:kind:subject) or an entry number",
                           field="Last-Event-ID")  # fmt: skip
    return (seq, parts[1], parts[2]) if len(parts) == 3 else (seq, "", "")


def alerts_from(ledger: Ledger, lender: str | None, cursor: Cursor, limit: int) -> list[Any]:
    """The caller's alerts after ``cursor``, in (seq, kind, subject) order."""
    alerts = every_alert()
    c = alerts.c
    seq, kind, subject = cursor
    later = c.seq > seq
    if kind:
        same = and_(c.seq == seq, or_(c.kind > kind, and_(c.kind == kind, c.subject > subject)))
        later = or_(later, same)
    query = select(alerts).where(later)
    if lender is not None:
        query = query.where(c.lender == lender)
    with ledger.reading() as connection:
        return list(connection.execute(query.order_by(c.seq, c.kind, c.subject).limit(limit)))


def _event(row: Any) -> str:
    body = alert_json(row)
    data = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return f"id: {body['id']}\nevent: alert\ndata: {data}\n\n"


async def events(ledger: Ledger, streams: Streams, caller: str, lender: str | None,
                 cursor: Cursor) -> AsyncIterator[str]:  # fmt: skip
    """The stream's body; the caller's slot is taken already and given back here."""
    limits = streams.limits
    try:
        yield f"retry: {int(limits.poll_seconds * 1000) + 1000}\n\n"
        clock = asyncio.get_running_loop().time
        idle, ends = 0.0, clock() + limits.max_seconds
        while not streams.closing:
            if clock() >= ends:
                yield 'event: reconnect\ndata: {"reason": "stream lifetime reached"}\n\n'
                return
            rows = await run_in_threadpool(alerts_from, ledger, lender, cursor, limits.batch)
            for row in rows:
                yield _event(row)
                cursor = (int(row.seq), str(row.kind), str(row.subject))
            if len(rows) == limits.batch:
                continue  # more waiting: no sleep
            if rows:
                idle = 0.0
            elif idle >= limits.heartbeat_seconds:
                idle = 0.0
                yield ": heartbeat\n\n"
            await asyncio.sleep(limits.poll_seconds)
            idle += limits.poll_seconds
        yield 'event: shutdown\ndata: {"reason": "server shutting down"}\n\n'
    finally:
        streams.release(caller)
