"""The HTTP API end to end: signed writes, refusals as 4xx JSON, queries, proofs, checkpoints."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta
from typing import Any

import pytest

from ledger.core.append_receipt import AppendReceipt
from ledger.core.checkpoint import NoteVerifier, SignedCheckpoint
from ledger.core.events import Event
from ledger.core.merkle.verify import verify_consistency, verify_inclusion
from tests.api.conftest import NOW, Party, World


def order(party: Party, n: int = 0, **changes: Any) -> Event:
    payload = {
        "order_id": f"order-{n}",
        "seller": "seller-1",
        "buyer": "buyer-1",
        "total": {"amount_minor": 125_000 + n, "currency": "USD"},
    }
    payload.update(changes.pop("payload", {}))
    fields: dict[str, Any] = {
        "flow": "information",
        "type": "order.placed",
        "actor": party.id,
        "payload": payload,
        "occurred_at": NOW - timedelta(hours=1),
        "subjects": ["seller-1", f"order-{n}"],
    }
    fields.update(changes)
    return Event.create(party.key, **fields)


def assert_error(response: Any, status: int, field: str | None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"error", "detail", "field"}
    assert body["field"] == field
    assert body["detail"]
    return body


def test_health(world: World) -> None:
    response = world.client.get("/health")
    assert response.status_code == 200
    assert response.json()["tree_size"] == world.ledger.size()


def test_append_one_then_replay_is_idempotent(world: World) -> None:
    event = order(world.buyer)
    first = world.client.post("/v1/events", json=event.to_json(), headers=world.buyer.headers)
    assert first.status_code == 201, first.text
    entry = first.json()
    assert entry["event"]["id"] == event.id
    again = world.client.post("/v1/events", json=event.to_json(), headers=world.buyer.headers)
    assert again.status_code == 200
    assert again.json() == {**entry, "replayed": True}
    assert entry["replayed"] is False
    fetched = world.client.get(f"/v1/entries/{entry['seq']}", headers=world.buyer.headers).json()
    receipt = AppendReceipt.from_json(entry.pop("receipt")).verify(world.ledger.public_key)
    assert (receipt.seq, receipt.leaf_hash) == (fetched["seq"], fetched["leaf_hash"])
    assert {**fetched, "receipt": None, "replayed": None} == {
        **entry,
        "receipt": None,
        "replayed": None,
    }


def test_same_id_other_content_is_a_conflict(world: World) -> None:
    event = order(world.buyer)
    world.client.post("/v1/events", json=event.to_json(), headers=world.buyer.headers)
    other = order(world.buyer, n=9, event_id=event.id)
    size = world.ledger.size()
    response = world.client.post("/v1/events", json=other.to_json(), headers=world.buyer.headers)
    assert_error(response, 409, "id")
    assert world.ledger.size() == size


def test_batch_is_atomic(world: World) -> None:
    good = [order(world.buyer, n) for n in range(3)]
    bad = order(world.buyer, 4, payload={"total": {"amount_minor": 1.5, "currency": "USD"}})
    size = world.ledger.size()
    response = world.client.post(
        "/v1/events",
        json={"events": [e.to_json() for e in [*good, bad]]},
        headers=world.buyer.headers,
    )
    assert_error(response, 422, "events[3].payload.total.amount_minor")
    assert world.ledger.size() == size
    ok = world.client.post(
        "/v1/events", json={"events": [e.to_json() for e in good]}, headers=world.buyer.headers
    )
    assert ok.status_code == 201
    assert [e["seq"] for e in ok.json()["entries"]] == list(range(size, size + 3))


@pytest.mark.parametrize(
    ("mutate", "status", "field"),
    [
        (lambda b: b.update(signature="00" * 64), 422, "signature"),
        (lambda b: b.update(signature="zz"), 422, "signature"),
        (lambda b: b.update(flow="gossip"), 422, "flow"),
        (lambda b: b.update(type="order.teleported"), 422, "type"),
        (lambda b: b.update(payload=[1, 2]), 422, "payload"),
        (lambda b: b.update(id="not-a-uuid"), 422, "id"),
        (lambda b: b.update(occurred_at="yesterday"), 422, "occurred_at"),
        (lambda b: b.update(colour="red"), 422, "colour"),
        (lambda b: b.pop("actor"), 422, "actor"),
        (lambda b: b["payload"].pop("buyer"), 422, "payload"),
        (lambda b: b.update(key_id="0" * 16), 422, "key_id"),
    ],
)
def test_bad_events_are_refused_with_the_field(
    world: World, mutate: Any, status: int, field: str
) -> None:
    body = order(world.buyer).to_json()
    mutate(body)
    size = world.ledger.size()
    response = world.client.post("/v1/events", json=body, headers=world.buyer.headers)
    assert_error(response, status, field)
    assert world.ledger.size() == size


def test_signature_must_cover_the_content(world: World) -> None:
    body = order(world.buyer).to_json()
    body["payload"]["total"]["amount_minor"] += 1  # one changed figure, same signature
    response = world.client.post("/v1/events", json=body, headers=world.buyer.headers)
    assert_error(response, 422, "signature")


def test_events_signed_for_someone_else_are_forbidden(world: World) -> None:
    response = world.client.post(
        "/v1/events", json=order(world.buyer).to_json(), headers=world.seller.headers
    )
    assert_error(response, 403, "actor")


@pytest.mark.parametrize("key", [None, "", "tf_wrong", "x" * 500])
def test_writes_need_a_valid_api_key(world: World, key: str | None) -> None:
    headers = {} if key is None else {"X-API-Key": key}
    response = world.client.post("/v1/events", json=order(world.buyer).to_json(), headers=headers)
    assert_error(response, 401, "X-API-Key")


def test_revoked_key_is_refused(world: World) -> None:
    world.ledger.revoke_key("buyer-1", world.buyer.key.key_id, reason="laptop lost")
    response = world.client.post(
        "/v1/events", json=order(world.buyer).to_json(), headers=world.buyer.headers
    )
    body = assert_error(response, 422, "key_id")
    assert "revoked" in body["detail"]


def test_future_events_are_refused(world: World) -> None:
    event = order(world.buyer, occurred_at=NOW + timedelta(hours=2))
    response = world.client.post("/v1/events", json=event.to_json(), headers=world.buyer.headers)
    assert_error(response, 422, "occurred_at")


@pytest.mark.parametrize(
    "body", [None, 1, "text", [], {"events": "x"}, {"events": [1]}, {"events": []}]
)
def test_malformed_bodies_are_4xx(world: World, body: Any) -> None:
    response = world.client.post("/v1/events", json=body, headers=world.buyer.headers)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]


def test_non_json_body_is_4xx(world: World) -> None:
    response = world.client.post(
        "/v1/events",
        content=b"\xff\xfe not json",
        headers={**world.buyer.headers, "content-type": "application/json"},
    )
    assert_error(response, 422, "body")


def _append_orders(world: World, count: int) -> list[dict[str, Any]]:
    events = [order(world.buyer, n) for n in range(count)]
    response = world.client.post(
        "/v1/events", json={"events": [e.to_json() for e in events]}, headers=world.buyer.headers
    )
    assert response.status_code == 201
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


def test_query_pages_cover_everything_once(world: World) -> None:
    appended = _append_orders(world, 23)
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"participant": "buyer-1", "limit": 5, "flow": "information"}
        if cursor is not None:
            params["after"] = cursor
        page = world.client.get("/v1/events", params=params, headers=world.buyer.headers).json()
        seen += [e["seq"] for e in page["entries"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # buyer-1 is the actor of the 23 orders and the subject of its own registration entries
    assert [s for s in seen if s >= appended[0]["seq"]] == [e["seq"] for e in appended]
    assert len(seen) == len(set(seen))
    by_item = world.client.get(
        "/v1/events", params={"item": "order-7"}, headers=world.buyer.headers
    ).json()["entries"]
    assert [e["event"]["payload"]["order_id"] for e in by_item] == ["order-7"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 5000}, "limit"),
        ({"flow": "gossip"}, "flow"),
        ({"since": "not-a-date"}, "since"),
        ({"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "until"),
        ({"start_seq": -3}, "start_seq"),
    ],
)
def test_bad_queries_name_the_field(world: World, params: dict[str, Any], field: str) -> None:
    assert_error(
        world.client.get("/v1/events", params=params, headers=world.buyer.headers), 422, field
    )


def test_proofs_verify_against_the_signed_checkpoint(world: World) -> None:
    _append_orders(world, 40)
    world.ledger.checkpoint()
    cp = world.client.get("/v1/checkpoints/latest").json()
    signed = SignedCheckpoint.parse(cp["note"])
    signed.verify(NoteVerifier.for_key(world.ledger.origin, world.ledger.public_key))
    assert signed.checkpoint.root_hash.hex() == cp["root_hash"]
    size = cp["tree_size"]
    for seq in (0, 1, size // 2, size - 1):
        proof = world.client.get(
            "/v1/proofs/inclusion", params={"seq": seq, "tree_size": size}
        ).json()
        assert proof["root_hash"] == cp["root_hash"]
        verify_inclusion(
            bytes.fromhex(proof["leaf_hash"]),
            seq,
            size,
            [bytes.fromhex(h) for h in proof["audit_path"]],
            signed.checkpoint.root_hash,
        )
    proof = world.client.get("/v1/proofs/consistency", params={"first": 3, "second": size}).json()
    verify_consistency(
        3,
        size,
        bytes.fromhex(proof["first_root"]),
        bytes.fromhex(proof["second_root"]),
        [bytes.fromhex(h) for h in proof["proof"]],
    )
    assert proof["second_root"] == cp["root_hash"]
    assert base64.b64decode(cp["note"].splitlines()[2]) == signed.checkpoint.root_hash


@pytest.mark.parametrize(
    ("path", "params", "status", "field"),
    [
        ("/v1/proofs/inclusion", {"seq": 10**9}, 422, "seq"),
        ("/v1/proofs/inclusion", {"seq": 0, "tree_size": 10**9}, 422, "tree_size"),
        ("/v1/proofs/inclusion", {"seq": -1}, 422, "seq"),
        ("/v1/proofs/consistency", {"first": 5, "second": 2}, 422, "first"),
        ("/v1/proofs/consistency", {"first": 1, "second": 10**9}, 422, "second"),
        ("/v1/proofs/consistency", {"first": "a", "second": 2}, 422, "first"),
        ("/v1/entries/999999", {}, 404, "seq"),
    ],
)
def test_bad_proof_requests(
    world: World, path: str, params: dict[str, Any], status: int, field: str
) -> None:
    world.ledger.checkpoint()  # proofs default to the latest signed checkpoint
    assert_error(world.client.get(path, params=params, headers=world.buyer.headers), status, field)


def test_checkpoints_are_cut_every_n_entries(world: World) -> None:
    _append_orders(world, 60)  # policy: every 50 entries
    assert world.ledger.latest_checkpoint_size() == world.ledger.size()


def test_no_input_makes_the_server_answer_500(world: World) -> None:
    for params in (
        {"after": "x"},
        {"participant": "\x00"},
        {"item": "a b"},
        {"since": "2026-13-45"},
    ):
        response = world.client.get("/v1/events", params=params, headers=world.buyer.headers)
        assert response.status_code < 500
    junk = {"id": str(uuid.uuid4()), "flow": None, "payload": {"a": float("1e308")}}
    assert world.client.post("/v1/events", json=junk, headers=world.buyer.headers).status_code < 500


@pytest.mark.parametrize("depth", [65, 3000, 100_000])
def test_absurdly_nested_bodies_are_refused_before_parsing(world: World, depth: int) -> None:
    body = '{"payload":' + '{"a":' * depth + "1" + "}" * depth + "}"
    response = world.client.post(
        "/v1/events",
        content=body,
        headers={**world.buyer.headers, "content-type": "application/json"},
    )
    assert_error(response, 422, "body")
