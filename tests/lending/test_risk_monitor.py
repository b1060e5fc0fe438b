"""The risk monitor on SQLite and PostgreSQL: alerts a lender sees (only its own) over HTTP,
and webhook delivery to a real local HTTP server that fails first, across a restart."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from finance_api import demo_scenario
from finance_api.app import create_app
from finance_api.auth import create_api_key
from finance_api.lending.alert_tables import Delivery
from finance_api.lending.rules.signing import verify
from finance_api.lending.webhooks import Deliverer, start_delivery, subscribe
from ledger.core.clock import FixedClock
from ledger.log import Ledger
from tests.ledger.scenario import AUDITOR, LENDER, NOW, SELLER, open_ledger
from tests.ledger.stores import Store
from tests.lending.lending_events import (
    OTHER_LENDER,
    PLATFORM,
    event,
    line_act,
    open_line,
    usd,
    with_other_lender,
)


@pytest.fixture
def ledger_url(store: Store) -> Iterator[str]:
    url = store.new_url()
    yield url
    store.drop(url)


@pytest.fixture
def ledger(ledger_url: str) -> Iterator[Ledger]:
    with open_ledger(ledger_url, clock=FixedClock(NOW)) as opened:
        demo_scenario.register(opened)
        with_other_lender(opened)
        yield opened


def troubles(line_id: str, lender: str = LENDER) -> list[Any]:
    """A line that goes 35 days past due, is frozen, and is charged over its limit."""
    return [
        open_line(line_id, 10_000, lender=lender),
        line_act(line_id, "drawn", lender=lender, amount=usd(9_500)),
        line_act(line_id, "past_due", lender=lender, days_past_due=35, amount=usd(2_000)),
        line_act(line_id, "frozen", lender=lender, reason="past_due"),
        line_act(line_id, "fee_posted", lender=lender, amount=usd(900), fee="late_payment"),
    ]


def test_a_lender_sees_its_own_alerts_and_nobody_else_does(ledger: Ledger) -> None:
    ledger.append_batch(troubles("line-a") + troubles("line-b", OTHER_LENDER)[:1])
    ledger.append(line_act("line-b", "frozen", lender=OTHER_LENDER, reason="review"))
    keys = {pid: create_api_key(ledger, pid, "t", NOW)
            for pid in (LENDER, OTHER_LENDER, SELLER, AUDITOR)}  # fmt: skip
    with TestClient(create_app(ledger)) as client:

        def get(pid: str | None, **params: Any) -> Any:
            headers = {"X-API-Key": keys[pid]} if pid else {}
            return client.get("/v1/risk/alerts", params=params, headers=headers)

        mine = get(LENDER).json()["alerts"]
        assert [a["kind"] for a in mine] == ["days_past_due", "line_frozen", "limit_breach"]
        assert {a["lender"] for a in mine} == {LENDER}
        assert mine[0]["detail"] == {"days_past_due": 35, "bucket": "30-59",
                                     "arrears_minor": 2_000}  # fmt: skip
        assert mine[2]["detail"] == {"balance_minor": 10_400, "limit_minor": 10_000}
        theirs = get(OTHER_LENDER).json()["alerts"]
        assert [(a["kind"], a["subject"]) for a in theirs] == [("line_frozen", "line-b")]
        first = get(LENDER, limit=1).json()
        assert len(first["alerts"]) == 1
        rest = get(LENDER, after=first["next_after"]).json()["alerts"]
        assert [a["kind"] for a in rest] == ["line_frozen", "limit_breach"]
        assert get(LENDER, kind="line_frozen").json()["alerts"][0]["subject"] == "line-a"
        everyone = get(AUDITOR).json()["alerts"]
        assert {a["lender"] for a in everyone} == {LENDER, OTHER_LENDER}
        refused = get(SELLER)
        assert (refused.status_code, refused.json()["field"]) == (403, "X-API-Key")
        assert get(None).status_code == 401
        bad = get(LENDER, kind="everything")
        assert (bad.status_code, bad.json()["field"]) == (422, "kind")


@dataclass
class Hook:
    """A local webhook receiver that answers 500 to its first ``fail`` requests."""

    fail: int
    seen: list[tuple[dict[str, str], bytes, int]] = field(default_factory=list)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 500 if hook.fail > 0 else 204
                hook.fail -= 1
                hook.seen.append((dict(self.headers.items()), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        return Handler


@pytest.fixture
def hook() -> Iterator[tuple[Hook, str]]:
    receiver = Hook(fail=1)
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver, f"http://127.0.0.1:{server.server_address[1]}/alerts"
    server.shutdown()
    server.server_close()


def test_webhook_retried_with_backoff_and_not_lost_across_a_restart(
    ledger: Ledger, ledger_url: str, hook: tuple[Hook, str]
) -> None:
    receiver, url = hook
    clock = FixedClock(NOW)
    key = create_api_key(ledger, LENDER, "t", NOW)
    with TestClient(create_app(ledger)) as client:
        answer = client.put("/v1/risk/webhook", json={"url": url}, headers={"X-API-Key": key})
        assert answer.status_code == 200, answer.text
        secret = answer.json()["secret"]
        bad = client.put("/v1/risk/webhook", json={"url": "ftp://x"}, headers={"X-API-Key": key})
        assert bad.status_code == 422
    ledger.append(open_line("line-w", 10_000))
    ledger.append(line_act("line-w", "frozen", reason="review"))
    assert Deliverer(ledger, clock).deliver_due() == 0  # the receiver answers 500
    assert [status for _, _, status in receiver.seen] == [500]
    ledger.close()  # the service stops; the alert is still owed

    with open_ledger(ledger_url, clock=FixedClock(NOW)) as reopened:
        again = Deliverer(reopened, clock)
        assert again.deliver_due() == 0  # the backoff (2 s) has not passed
        assert len(receiver.seen) == 1
        clock.advance(timedelta(seconds=2))
        assert again.deliver_due() == 1
        assert again.deliver_due() == 0  # delivered once: never sent again
        with reopened.reading() as connection:
            row = connection.execute(select(Delivery.__table__)).one()
    assert (row.attempts, row.last_error, row.delivered_at is not None) == (2, None, True)
    (_, b1, _), (h2, b2, _) = receiver.seen
    assert b1 == b2  # the same alert, the same bytes
    assert b'"kind":"line_frozen"' in b2
    assert verify(secret, int(h2["X-Threeflow-Timestamp"]), b2, h2["X-Threeflow-Signature"])
    assert not verify("another secret", int(h2["X-Threeflow-Timestamp"]), b2,
                      h2["X-Threeflow-Signature"])  # fmt: skip


def test_an_unreachable_webhook_keeps_the_alert_owed(ledger: Ledger) -> None:
    key = create_api_key(ledger, LENDER, "t", NOW)
    with TestClient(create_app(ledger)) as client:
        client.put("/v1/risk/webhook", json={"url": "http://127.0.0.1:9/nowhere"},
                   headers={"X-API-Key": key})  # fmt: skip
    ledger.append(open_line("line-u", 10_000))
    ledger.append(line_act("line-u", "frozen", reason="review"))
    clock = FixedClock(NOW)
    deliverer = Deliverer(ledger, clock)
    for attempt in range(3):
        assert deliverer.deliver_due() == 0
        clock.advance(timedelta(seconds=2 ** (attempt + 1)))
    with ledger.reading() as connection:
        row = connection.execute(select(Delivery.__table__)).one()
    assert row.attempts == 3
    assert row.delivered_at is None
    assert row.last_error


def score_shown(pd_ppm: int, tag: str, score: int = 610) -> Any:
    body = {"score_id": f"score-{tag}", "subject": SELLER, "recipient": LENDER,
            "model_version": "scorecard-1", "feature_schema": "cd" * 32, "tree_size": 10,
            "root_hash": "ef" * 32, "score": score, "pd_ppm": pd_ppm, "grade": "B",
            "reasons_hash": "01" * 32}  # fmt: skip
    return event(PLATFORM, "credit.score_issued", body)


def test_exposure_uses_the_latest_score_the_lender_was_shown(ledger: Ledger) -> None:
    ledger.append_batch([open_line("line-e", 100_000), line_act("line-e", "drawn",
                         amount=usd(30_000)), score_shown(50_000, "old"),
                         score_shown(20_000, "new")])  # fmt: skip
    key = create_api_key(ledger, LENDER, "t", NOW)
    with TestClient(create_app(ledger)) as client:
        body = client.get("/v1/risk/exposure", headers={"X-API-Key": key}).json()
        bad = client.get("/v1/risk/exposure", params={"ccf_bp": 10_001},
                         headers={"X-API-Key": key})  # fmt: skip
    (line,) = body["lines"]
    assert line["ead_minor"] == 30_000 + 28_000  # 40% of the 70,000 undrawn
    assert line["pd_ppm"] == 20_000
    assert line["expected_loss_minor"] == 522  # 2% x 45% x 580.00
    assert body["totals"] == [{"currency": "USD", "lines": 1, "ead_minor": 58_000,
                               "expected_loss_minor": 522}]  # fmt: skip
    assert body["by_country"] == [{"name": "CN", "ead_minor": 58_000, "share_bp": 10_000}]
    assert bad.status_code == 422


def test_the_service_loop_delivers_in_the_background(
    ledger: Ledger, hook: tuple[Hook, str]
) -> None:
    receiver, url = hook
    receiver.fail = 0
    subscribe(ledger, LENDER, url, FixedClock(NOW))
    halt = start_delivery(ledger, every=0.05)
    try:
        ledger.append(open_line("line-bg", 10_000))
        ledger.append(line_act("line-bg", "frozen", reason="review"))
        for _ in range(200):
            if receiver.seen:
                break
            time.sleep(0.05)
    finally:
        halt()
    assert [status for _, _, status in receiver.seen] == [204]


def test_a_score_drop_is_an_alert_to_the_lender_it_was_shown_to(ledger: Ledger) -> None:
    ledger.append_batch([score_shown(20_000, "a", 640), score_shown(22_000, "b", 635)])
    ledger.append(score_shown(45_000, "c", 600))
    key = create_api_key(ledger, LENDER, "t", NOW)
    other = create_api_key(ledger, OTHER_LENDER, "t", NOW)
    with TestClient(create_app(ledger)) as client:
        mine = client.get("/v1/risk/alerts", params={"kind": "score_drop"},
                          headers={"X-API-Key": key}).json()["alerts"]  # fmt: skip
        theirs = client.get("/v1/risk/alerts", headers={"X-API-Key": other}).json()["alerts"]
    (drop,) = mine
    assert (drop["subject"], drop["severity"]) == (SELLER, "high")
    assert drop["detail"] == {"score": 600, "previous_score": 635, "pd_ppm": 45_000,
                              "previous_pd_ppm": 22_000}  # fmt: skip
    assert theirs == []
