"""The participant's client against a real app: it submits, retries safely, and refuses to
believe a tampered proof, a checkpoint signed by another key, or a later checkpoint that
does not extend the one it saw.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from finance_api.app import create_app
from finance_api.auth import create_api_key
from finance_api.client import ThreeflowClient, VerificationError
from finance_api.client.client import _wire
from finance_api.client.errors import Forbidden, NotYetCovered, Unavailable
from ledger.core.checkpoint import Checkpoint
from ledger.core.clock import FixedClock
from ledger.core.events import Event
from ledger.core.keys import SigningKey
from ledger.log import CheckpointPolicy, Ledger

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LEDGER_KEY = SigningKey(bytes(range(32)))
PRICE = {"amount_minor": 1999, "currency": "USD"}
Edit = Callable[[httpx.Request, dict[str, Any]], dict[str, Any]]


class Tampering(httpx.BaseTransport):
    """Forwards to the app and lets a test edit the JSON it answers, or fail requests."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.edits: dict[str, Edit] = {}
        self.failures = 0
        self.seen: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(f"{request.method} {request.url.path}")
        if self.failures:
            self.failures -= 1
            answered = self.inner.handle_request(request)  # it reaches the server ...
            answered.read()
            raise httpx.ReadTimeout("lost on the way back", request=request)  # ... not us
        response = self.inner.handle_request(request)
        edit = self.edits.get(request.url.path)
        if edit is None:
            return response
        response.read()
        body = edit(request, response.json())
        return httpx.Response(
            response.status_code, json=body, headers={"content-type": "application/json"}
        )


@dataclass
class World:
    ledger: Ledger
    wire: Tampering
    client: ThreeflowClient

    def listing(self, tag: str) -> Any:
        payload = {"listing_id": tag, "sku": "lamp", "price": PRICE, "seller": "seller-9"}
        return self.client.event("information", "listing.published", payload,
                                 occurred_at=NOW - timedelta(hours=1))  # fmt: skip


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    ledger = Ledger.open(
        f"sqlite:///{tmp_path / 'client.db'}", ledger_key=LEDGER_KEY, clock=FixedClock(NOW),
        policy=CheckpointPolicy(every_entries=10**6, every_seconds=1e9),
    )  # fmt: skip
    key = SigningKey.generate()
    ledger.register_participant("seller-9", "Seller", ["seller"], "CN", key.public_key, NOW)
    api_key = create_api_key(ledger, "seller-9", "client", NOW)
    with TestClient(create_app(ledger)) as app:
        wire = Tampering(app._transport)
        http = httpx.Client(transport=wire, base_url="http://testserver")
        client = ThreeflowClient(
            "http://testserver", participant_id="seller-9", signing_key=key, api_key=api_key,
            ledger_key=LEDGER_KEY.public_key, http=http, sleep=lambda _: None, clock=lambda: NOW,
        )  # fmt: skip
        yield World(ledger, wire, client)
    ledger.close()


def test_submit_then_prove(world: World) -> None:
    [done] = world.client.submit(world.listing("l-1"))
    with pytest.raises(NotYetCovered):
        world.client.prove(done.seq, done.leaf_hash)
    world.ledger.checkpoint()
    head = world.client.prove(done.seq, done.leaf_hash)
    assert head.tree_size > done.seq


def test_a_retry_after_a_lost_answer_writes_nothing_twice(world: World) -> None:
    size = world.ledger.size()
    world.wire.failures = 1  # the first answer is lost: the client sends the event again
    [done] = world.client.submit([world.listing("l-2"), world.listing("l-3")][0])
    assert done.replayed
    assert world.ledger.size() == size + 1
    assert world.wire.seen.count("POST /v1/events") == 2


def test_retries_end_in_a_typed_error(world: World) -> None:
    world.wire.failures = 5  # every attempt the client makes
    with pytest.raises(Unavailable):
        world.client.submit(world.listing("l-4"))
    with pytest.raises(Forbidden):  # refusals are not retried
        world.client.submit(world.client.event("finance", "loan.repaid", {
            "loan_id": "x", "amount": PRICE, "lender": "seller-9"}))  # fmt: skip


def test_a_forged_receipt_is_refused(world: World) -> None:
    def forge(_: httpx.Request, body: dict[str, Any]) -> dict[str, Any]:
        body["receipt"]["seq"] += 1
        return body

    world.wire.edits["/v1/events"] = forge
    with pytest.raises(VerificationError, match="receipt"):
        world.client.submit(world.listing("l-5"))


@pytest.mark.parametrize("forged", [(3,), (200, 7), (299,)])
def test_a_large_batch_reports_its_first_bad_receipt(world: World, forged: tuple[int, ...]) -> None:
    """Receipts of a large batch are verified on threads; the error is a loop's."""
    events = [world.listing(f"batch-{forged[0]}-{n}") for n in range(300)]

    def forge(_: httpx.Request, body: dict[str, Any]) -> dict[str, Any]:
        for i in forged:
            if i == 7:
                body["entries"][i]["seq"] += 1  # the entry answered is not the receipt's
            else:
                body["entries"][i]["receipt"]["signature"] = "00" * 64
        return body

    world.wire.edits["/v1/events"] = forge
    first = min(forged)
    expected = (
        "the receipt is for another entry"
        if first == 7
        else "the append receipt does not verify: signature does not verify"
    )
    with pytest.raises(VerificationError) as caught:
        world.client.submit(events)
    assert str(caught.value) == expected
    world.wire.edits.clear()
    done = world.client.submit(events)  # answered again (replays), all receipts good
    assert [d.event for d in done] == events
    assert all(d.replayed for d in done)


def test_a_tampered_proof_is_refused(world: World) -> None:
    [done] = world.client.submit(world.listing("l-6"))
    world.client.submit([world.listing(f"x-{n}") for n in range(5)])
    world.ledger.checkpoint()

    def tamper(_: httpx.Request, body: dict[str, Any]) -> dict[str, Any]:
        path = body["audit_path"]
        path[0] = path[0][:-1] + ("0" if path[0][-1] != "0" else "1")
        return body

    world.wire.edits["/v1/proofs/inclusion"] = tamper
    with pytest.raises(VerificationError, match="not proven"):
        world.client.prove(done.seq, done.leaf_hash)


def test_a_checkpoint_signed_by_another_key_is_refused(world: World) -> None:
    world.client.submit(world.listing("l-7"))
    world.ledger.checkpoint()
    forger = SigningKey(bytes(range(1, 33)))

    def resign(_: httpx.Request, body: dict[str, Any]) -> dict[str, Any]:
        head = Checkpoint(body["origin"], body["tree_size"], bytes.fromhex(body["root_hash"]),
                          body["timestamp"])  # fmt: skip
        return {**body, "note": head.sign(forger, body["origin"]).note}

    world.wire.edits["/v1/checkpoints/latest"] = resign
    with pytest.raises(VerificationError, match="does not verify"):
        world.client.checkpoint()


def test_a_later_checkpoint_that_rewrites_history_is_refused(world: World) -> None:
    world.client.submit(world.listing("l-8"))
    world.ledger.checkpoint()
    first = world.client.checkpoint()
    world.client.submit(world.listing("l-9"))
    world.ledger.checkpoint()

    def rewrite(_: httpx.Request, body: dict[str, Any]) -> dict[str, Any]:
        body["proof"] = ["00" * 32 for _ in body["proof"]] or ["00" * 32]
        return body

    world.wire.edits["/v1/proofs/consistency"] = rewrite
    with pytest.raises(VerificationError, match="not consistent"):
        world.client.checkpoint()
    assert world.client.seen == first  # the client still trusts only what it proved
    del world.wire.edits["/v1/proofs/consistency"]
    assert world.client.checkpoint().tree_size > first.tree_size


def test_rotating_ones_own_key(world: World) -> None:
    new = SigningKey.generate()
    entries = world.client.rotate_key(new)
    assert [e["event"]["type"] for e in entries] == ["participant.key_added",
                                                     "participant.key_revoked"]  # fmt: skip
    [done] = world.client.submit(world.listing("after-rotation"))
    assert done.event.key_id == new.key_id
    assert json.dumps(entries)


def test_the_wire_bytes_read_as_the_events_json() -> None:
    """Submitted bodies are spliced from the canonical bytes: the same fields and values."""
    key = SigningKey(bytes(range(32)))
    for payload in ({"note": 'é 😀 "q" \\ \n'}, {"n": [1, 2.5, None, True]}, {}):
        event = Event.create(key, flow="information", type="x.tested", actor="a",
                             payload=payload, occurred_at=datetime(2025, 1, 2, tzinfo=UTC),
                             subjects=["b"])  # fmt: skip
        assert json.loads(_wire(event)) == event.to_json()
        assert Event.from_json(json.loads(_wire(event))) == event
