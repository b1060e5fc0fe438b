"""``GET /v1/risk/alerts/stream`` served by uvicorn on loopback and read with httpx streaming
(SQLite and PostgreSQL): alerts written after the stream opened arrive; a client that
reconnects with ``Last-Event-ID`` resumes with the next alert, none lost and none twice,
even between two alerts of one entry; a lender sees only its own; streams are bounded per
caller, give their slot back on disconnect, and end with ``event: shutdown`` when the
server is told to exit (which then exits promptly)."""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn

from finance_api.app import create_app
from finance_api.auth import create_api_key
from finance_api.lending.stream import ClosingServer, StreamLimits, Streams
from tests.finance.desk import LENDERS, Desk, register
from tests.ledger.conftest import ledger_url, postgres_store, sqlite_store, store  # noqa: F401
from tests.ledger.scenario import NOW, open_ledger
from tests.lending.test_risk_receipts import pledged_loan

A, B, _ = LENDERS
PATH = "/v1/risk/alerts/stream"


@pytest.fixture
def desk(ledger_url: str) -> Iterator[Desk]:  # noqa: F811
    with open_ledger(ledger_url) as ledger:
        register(ledger)
        yield Desk(ledger, ledger_url)


@contextmanager
def served(desk: Desk, streams: Streams) -> Iterator[tuple[str, ClosingServer]]:
    app = create_app(desk.ledger)
    app.state.risk_streams = streams
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = ClosingServer(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", server
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        assert not thread.is_alive()


def read_events(lines: Iterator[str], until: Callable[[list[dict[str, str]]], bool],
                seconds: float = 15) -> list[dict[str, str]]:  # fmt: skip
    """Parse SSE events (comments as {"comment": ...}) until ``until`` says enough."""
    got: list[dict[str, str]] = []
    event: dict[str, str] = {}
    deadline = time.monotonic() + seconds
    for line in lines:
        assert time.monotonic() < deadline, f"stream too slow, got {got}"
        if line.startswith(":"):
            got.append({"comment": line[1:].strip()})
        elif line == "":
            if event:
                got.append(event)
                event = {}
        else:
            name, _, value = line.partition(":")
            event[name] = value.removeprefix(" ")
        if until(got):
            break
    return got


def alerts_in(events: list[dict[str, str]]) -> list[str]:
    return [e["id"] for e in events if e.get("event") == "alert"]


def count_alerts(n: int) -> Callable[[list[dict[str, str]]], bool]:
    return lambda events: len(alerts_in(events)) >= n


def test_live_alerts_and_resume_from_last_event_id(desk: Desk) -> None:
    limits = StreamLimits(per_caller=2, total=3, poll_seconds=0.05, heartbeat_seconds=0.2)
    streams = Streams(limits)
    pledged_loan(desk)
    breach = desk.price(180_000)  # before the stream: limit_breach
    keys = {pid: create_api_key(desk.ledger, pid, "t", NOW) for pid in (A, B)}
    with served(desk, streams) as (url, _), httpx.Client(base_url=url, timeout=20) as client:
        mine = {"X-API-Key": keys[A]}
        with client.stream("GET", PATH, headers=mine) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = response.iter_lines()
            first = read_events(lines, count_alerts(1))
            assert alerts_in(first) == [f"{breach.seq}:limit_breach:loan-1"]
            call = desk.price(160_000)  # written while the stream is open
            count = desk.count("lot-1", 90)  # two alerts in one entry
            live = read_events(lines, count_alerts(2))
        assert alerts_in(live) == [f"{call.seq}:ltv_margin_call:loan-1",
                                   f"{count.seq}:count_below_receipts:r-loan-1"]  # fmt: skip
        # the client dropped between the two alerts of the count: resume after the first
        resume = {**mine, "Last-Event-ID": alerts_in(live)[-1]}
        with client.stream("GET", PATH, headers=resume) as response:
            rest = read_events(response.iter_lines(), lambda e: any("comment" in x for x in e[1:]))
        assert alerts_in(rest) == [f"{count.seq}:count_differs_from_book:r-loan-1"]
        assert {"comment": "heartbeat"} in rest  # idle: a heartbeat, and nothing twice
        with client.stream("GET", PATH, params={"after": call.seq}, headers=mine) as response:
            again = read_events(response.iter_lines(), count_alerts(2))
        assert alerts_in(again) == [f"{count.seq}:count_below_receipts:r-loan-1",
                                    f"{count.seq}:count_differs_from_book:r-loan-1"]  # fmt: skip
        theirs = {"X-API-Key": keys[B]}
        with client.stream("GET", PATH, headers=theirs) as response:
            other = read_events(response.iter_lines(), lambda e: {"comment": "heartbeat"} in e)
        assert alerts_in(other) == []  # bank-b lends nothing here
        bad = client.get(PATH, headers={**mine, "Last-Event-ID": "12:x"})
        assert (bad.status_code, bad.json()["field"]) == (422, "Last-Event-ID")
        assert client.get(PATH).status_code == 401


def test_streams_are_bounded_and_end_on_disconnect_and_shutdown(desk: Desk) -> None:
    limits = StreamLimits(per_caller=2, total=3, poll_seconds=0.05, heartbeat_seconds=0.2)
    streams = Streams(limits)
    keys = {pid: create_api_key(desk.ledger, pid, "t", NOW) for pid in (A, B)}
    mine, theirs = {"X-API-Key": keys[A]}, {"X-API-Key": keys[B]}
    with served(desk, streams) as (url, server), httpx.Client(base_url=url, timeout=20) as c:
        with c.stream("GET", PATH, headers=mine) as one, c.stream("GET", PATH, headers=mine):
            reading = one.iter_lines()  # kept: dropping the iterator closes the response
            read_events(reading, lambda e: len(e) >= 1)
            third = c.get(PATH, headers=mine)
            assert (third.status_code, third.json()["field"]) == (429, "X-API-Key")
            with c.stream("GET", PATH, headers=theirs) as response:
                assert response.status_code == 200
                full = c.get(PATH, headers=theirs)  # three open: the server's bound
                assert full.status_code == 429
        wait_for(lambda: streams.open == {})  # both slots given back on disconnect
        with c.stream("GET", PATH, headers=mine) as response:
            lines = response.iter_lines()
            read_events(lines, lambda e: len(e) >= 1)
            started = time.monotonic()
            server.handle_exit(signal.SIGTERM, None)
            ending = read_events(lines, lambda e: any(x.get("event") == "shutdown" for x in e))
            assert ending[-1]["event"] == "shutdown"
            assert [line for line in lines if line] == []  # and the server closed it
        assert time.monotonic() - started < 10
        wait_for(lambda: streams.open == {})


def wait_for(condition: Callable[[], Any], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition never met"
        time.sleep(0.02)


def test_a_stream_ends_after_its_lifetime_asking_the_client_to_reconnect(desk: Desk) -> None:
    streams = Streams(StreamLimits(poll_seconds=0.05, heartbeat_seconds=10, max_seconds=0.3))
    pledged_loan(desk)
    breach = desk.price(180_000)
    key = create_api_key(desk.ledger, A, "t", NOW)
    with served(desk, streams) as (url, _), httpx.Client(base_url=url, timeout=20) as client:
        with client.stream("GET", PATH, headers={"X-API-Key": key}) as response:
            got = read_events(response.iter_lines(), lambda e: False)  # to the end
        assert alerts_in(got) == [f"{breach.seq}:limit_breach:loan-1"]
        assert got[-1]["event"] == "reconnect"
        wait_for(lambda: streams.open == {})
