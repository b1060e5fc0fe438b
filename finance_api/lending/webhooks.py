"""Delivering risk alerts to lenders' webhooks: signed, retried with backoff, never lost.

The alerts table is the outbox: every alert is written in the transaction of the append that
raised it, and it is owed to its lender's webhook (alerts from the subscription's entry on)
until a ``lending_deliveries`` row records a 2xx answer. :class:`Deliverer` reads what is
due in one snapshot, posts each alert (HMAC-signed, :mod:`.rules.signing`) outside any
transaction, and records the outcomes in one transaction: a failure schedules the next try
after an exponential backoff. A process that stops between the post and the record only
sends the alert again (at least once; the body, and so an idempotency key, is the same).
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Connection, and_, insert, select, update

from finance_api.lending.alert_tables import Delivery, Webhook, every_alert
from finance_api.lending.rules.signing import backoff_seconds, body_bytes, signature
from ledger.core.clock import Clock
from ledger.log import Ledger

log = logging.getLogger(__name__)

Post = Callable[[str, bytes, Mapping[str, str]], int]
"""Send ``body`` to ``url`` with ``headers``; return the HTTP status (raise on no answer)."""


def http_post(timeout: float = 5.0) -> Post:
    def post(url: str, body: bytes, headers: Mapping[str, str]) -> int:
        return httpx.post(url, content=body, headers=dict(headers), timeout=timeout).status_code

    return post


def subscribe(ledger: Ledger, lender: str, url: str, clock: Clock) -> dict[str, Any]:
    """Set ``lender``'s webhook (replacing any); alerts from the next entry on are owed to it.
    Returns the subscription with its new secret (shown once)."""
    secret = secrets.token_hex(32)
    with ledger.unit_of_work(lock=False) as uow:
        row = {"url": url, "secret": secret, "from_seq": ledger.size(), "created_at": clock.now()}
        done = uow.connection.execute(update(Webhook).where(Webhook.lender == lender).values(row))
        if done.rowcount == 0:
            uow.connection.execute(insert(Webhook).values(lender=lender, **row))
        uow.commit()
    return {"lender": lender, "url": url, "secret": secret, "from_seq": row["from_seq"]}


def alert_json(row: Any) -> dict[str, Any]:
    return {"id": f"{row.seq}:{row.kind}:{row.subject}", "seq": row.seq, "kind": row.kind,
            "subject": row.subject, "lender": row.lender, "borrower": row.borrower,
            "severity": row.severity, "detail": row.detail,
            "occurred_at": row.occurred_at.isoformat()}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Due:
    alert: dict[str, Any]
    url: str
    secret: str
    attempts: int
    known: bool  # a delivery row exists already


def due(connection: Connection, now: datetime, limit: int) -> list[Due]:
    """Alerts owed to a webhook whose next try is due, oldest first (one query)."""
    a, w, d = every_alert().c, Webhook, Delivery
    rows = connection.execute(
        select(*a, w.url, w.secret, d.attempts, d.next_attempt_at)
        .join(w, and_(w.lender == a.lender, a.seq >= w.from_seq))
        .outerjoin(d, and_(d.seq == a.seq, d.kind == a.kind, d.subject == a.subject))
        .where(d.delivered_at.is_(None))
        .where((d.next_attempt_at.is_(None)) | (d.next_attempt_at <= now))
        .order_by(a.seq, a.kind, a.subject)
        .limit(limit)
    ).all()
    return [Due(alert_json(r), r.url, r.secret, r.attempts or 0, r.attempts is not None)
            for r in rows]  # fmt: skip


class Deliverer:
    """Posts due alerts and records each outcome; call :meth:`deliver_due` in a loop."""

    def __init__(self, ledger: Ledger, clock: Clock, post: Post | None = None,
                 base: float = 2.0, cap: float = 3600.0) -> None:  # fmt: skip
        self.ledger, self.clock, self.post = ledger, clock, post or http_post()
        self.base, self.cap = base, cap

    def deliver_due(self, limit: int = 100) -> int:
        """Try every due alert once; return how many were delivered."""
        with self.ledger.reading() as connection:
            owed = due(connection, self.clock.now(), limit)
        outcomes = [self._send(item) for item in owed]
        if outcomes:
            with self.ledger.unit_of_work(lock=False) as uow:
                for item, (ok, error) in zip(owed, outcomes, strict=True):
                    self._record(uow.connection, item, ok, error)
                uow.commit()
        return sum(ok for ok, _ in outcomes)

    def _send(self, item: Due) -> tuple[bool, str | None]:
        body = body_bytes(item.alert)
        stamp = int(self.clock.now().timestamp())
        headers = {"Content-Type": "application/json", "X-Threeflow-Timestamp": str(stamp),
                   "X-Threeflow-Signature": signature(item.secret, stamp, body),
                   "X-Threeflow-Alert": item.alert["id"]}  # fmt: skip
        try:
            status = self.post(item.url, body, headers)
        except Exception as exc:  # no answer: a refused connection, a timeout
            return False, f"{type(exc).__name__}: {exc}"[:1000]
        return (200 <= status < 300), None if 200 <= status < 300 else f"HTTP {status}"

    def _record(self, connection: Connection, item: Due, ok: bool, error: str | None) -> None:
        now = self.clock.now()
        attempts = item.attempts + 1
        values = {"attempts": attempts, "delivered_at": now if ok else None, "last_error": error,
                  "next_attempt_at": now + timedelta(seconds=backoff_seconds(attempts,
                                                     self.base, self.cap))}  # fmt: skip
        key = {"seq": item.alert["seq"], "kind": item.alert["kind"],
               "subject": item.alert["subject"]}  # fmt: skip
        if item.known:
            d = Delivery
            match = (d.seq == key["seq"], d.kind == key["kind"], d.subject == key["subject"])
            connection.execute(update(d).where(*match).values(values))
        else:
            connection.execute(insert(Delivery).values(**key, lender=item.alert["lender"],
                                                       **values))  # fmt: skip


def start_delivery(ledger: Ledger, every: float = 1.0) -> Callable[[], None]:
    """Deliver due alerts every ``every`` seconds in a daemon thread; returns the stopper."""
    deliverer = Deliverer(ledger, ledger.clock)
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                deliverer.deliver_due()
            except Exception:  # a failed round is logged and tried again
                log.exception("webhook delivery round failed")
            stop.wait(every)

    thread = threading.Thread(target=run, name="risk-webhooks", daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(timeout=10)

    return halt
