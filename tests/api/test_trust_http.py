"""Trust over HTTP, as a hostile tenant would try it: reads by entitlement, consent, keys.

What a caller may not see answers exactly like what does not exist. A lender sees another
firm's entries only while that firm's consent is in force, and each such read is recorded
for the firm to see. Keys are scoped to roles, expire, are revoked by an admin (effective at
the next request) and are rate limited.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from finance_api.app import create_app
from finance_api.auth import create_api_key
from finance_api.ratelimit import RateLimiter
from ledger.core.clock import FixedClock
from ledger.core.events import Event, format_timestamp
from ledger.core.keys import SigningKey
from ledger.log import CheckpointPolicy, Ledger

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SINCE = datetime(2026, 1, 1, tzinfo=UTC)
USD = {"amount_minor": 90_000, "currency": "USD"}
ROLES = {
    "seller-1": ["seller"],
    "buyer-1": ["buyer"],
    "lender-1": ["lender"],
    "carrier-1": ["carrier"],
    "auditor-1": ["auditor"],
}


@dataclass
class Firm:
    id: str
    key: SigningKey
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key}

    def event(self, flow: str, etype: str, payload: dict[str, Any], subjects: list[str]) -> Event:
        return Event.create(
            self.key, flow=flow, type=etype, actor=self.id, payload=payload,
            occurred_at=NOW - timedelta(hours=1), subjects=subjects,
            event_id=str(uuid.uuid4()),
        )  # fmt: skip


@dataclass
class World:
    client: TestClient
    ledger: Ledger
    clock: FixedClock
    firms: dict[str, Firm]
    admin: dict[str, str]

    def post(self, firm: str, event: Event) -> Any:
        return self.client.post(
            "/v1/events", json=event.to_json(), headers=self.firms[firm].headers
        )

    def get(self, firm: str, path: str, **params: Any) -> Any:
        return self.client.get(path, params=params, headers=self.firms[firm].headers)


def _world(tmp_path: Path, limiter: RateLimiter | None = None) -> Iterator[World]:
    clock = FixedClock(NOW)
    ledger = Ledger.open(
        f"sqlite:///{tmp_path / 'trust.db'}",
        ledger_key=SigningKey(bytes(range(32))),
        clock=clock,
        policy=CheckpointPolicy(every_entries=10_000, every_seconds=1e9),
    )
    firms = {}
    for pid, roles in ROLES.items():
        key = SigningKey.generate()
        ledger.register_participant(pid, pid.title(), roles, "CN", key.public_key, SINCE)
        firms[pid] = Firm(pid, key, create_api_key(ledger, pid, "test", NOW))
    admin = {"X-API-Key": create_api_key(ledger, "operator", "admin", NOW)}
    with TestClient(create_app(ledger, limiter=limiter)) as client:
        yield World(client, ledger, clock, firms, admin)
    ledger.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    yield from _world(tmp_path)


def _invoice(world: World) -> int:
    seller = world.firms["seller-1"]
    invoice = seller.event(
        "information", "invoice.issued",
        {"invoice_id": "inv-1", "order_id": "o-1", "amount": USD, "due_date": "2026-07-01",
         "seller": "seller-1", "buyer": "buyer-1"},
        ["buyer-1"],
    )  # fmt: skip
    response = world.post("seller-1", invoice)
    assert response.status_code == 201, response.text
    seq: int = response.json()["seq"]
    return seq


def _consent(world: World, days: int = 30, consent_id: str = "c-1") -> None:
    seller = world.firms["seller-1"]
    grant = seller.event(
        "information", "consent.granted",
        {"consent_id": consent_id, "subject": "seller-1", "grantee": "lender-1",
         "scope": ["entries"], "expires_at": format_timestamp(NOW + timedelta(days=days))},
        ["lender-1"],
    )  # fmt: skip
    assert world.post("seller-1", grant).status_code == 201


def test_reads_need_a_key(world: World) -> None:
    for path in ("/v1/events", "/v1/entries/0", "/v1/access-log", "/v1/epcis/events"):
        response = world.client.get(path)
        assert response.status_code == 401, path
        assert response.json()["field"] == "X-API-Key"


def test_another_tenants_entry_answers_like_one_that_does_not_exist(world: World) -> None:
    seq = _invoice(world)
    assert world.get("buyer-1", f"/v1/entries/{seq}").status_code == 200  # a subject
    hidden = world.get("carrier-1", f"/v1/entries/{seq}")
    missing = world.get("carrier-1", "/v1/entries/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"] == missing.json()["error"] == "not_found"
    assert world.get("carrier-1", "/v1/events", participant="seller-1").json()["entries"] == []
    assert world.get("lender-1", "/v1/events", participant="seller-1").json()["entries"] == []
    everything = world.get("auditor-1", "/v1/events", limit=1000).json()["entries"]
    assert seq in {e["seq"] for e in everything}


def test_a_lender_reads_while_consent_is_in_force_and_each_read_is_recorded(
    world: World,
) -> None:
    seq = _invoice(world)
    assert world.get("lender-1", f"/v1/entries/{seq}").status_code == 404
    _consent(world)
    assert world.get("lender-1", f"/v1/entries/{seq}").status_code == 200
    page = world.get("lender-1", "/v1/events", participant="seller-1").json()["entries"]
    assert seq in {e["seq"] for e in page}
    log = world.get("seller-1", "/v1/access-log").json()["records"]
    assert {r["reader"] for r in log} == {"lender-1"}
    assert {r["consent_id"] for r in log} == {"c-1"}
    assert any(str(seq) in r["detail"] for r in log)
    assert world.get("buyer-1", "/v1/access-log").json()["records"] == []

    revoke = world.firms["seller-1"].event(
        "information", "consent.revoked", {"consent_id": "c-1", "subject": "seller-1"},
        ["lender-1"],
    )  # fmt: skip
    assert world.post("seller-1", revoke).status_code == 201
    assert world.get("lender-1", f"/v1/entries/{seq}").status_code == 404


def test_consent_ends_at_its_expiry(world: World) -> None:
    seq = _invoice(world)
    _consent(world, days=2, consent_id="c-short")
    assert world.get("lender-1", f"/v1/entries/{seq}").status_code == 200
    world.clock.set(NOW + timedelta(days=3))
    assert world.get("lender-1", f"/v1/entries/{seq}").status_code == 404


def test_only_the_subject_grants_its_consent(world: World) -> None:
    buyer = world.firms["buyer-1"]
    forged = buyer.event(
        "information", "consent.granted",
        {"consent_id": "c-x", "subject": "seller-1", "grantee": "lender-1",
         "scope": ["entries"], "expires_at": format_timestamp(NOW + timedelta(days=9))},
        ["lender-1"],
    )  # fmt: skip
    response = world.post("buyer-1", forged)
    assert response.status_code == 403
    assert response.json()["field"] == "payload.subject"


def test_an_auditor_reads_everything_and_writes_nothing(world: World) -> None:
    auditor = world.firms["auditor-1"]
    note = auditor.event(
        "information", "claim.confirmed",
        {"claim_id": str(uuid.uuid4()), "party": "auditor-1"}, [],
    )  # fmt: skip
    response = world.post("auditor-1", note)
    assert response.status_code == 403


def test_a_claim_shows_its_confirmation_state(world: World) -> None:
    seq = _invoice(world)
    shown = world.get("seller-1", f"/v1/entries/{seq}").json()
    assert shown["confirmation"] == {"status": "pending", "parties": {"buyer-1": "pending"}}
    claim_id = shown["event"]["id"]
    accept = world.firms["buyer-1"].event(
        "information", "claim.confirmed", {"claim_id": claim_id, "party": "buyer-1"},
        ["seller-1"],
    )  # fmt: skip
    assert world.post("buyer-1", accept).status_code == 201
    shown = world.get("seller-1", f"/v1/entries/{seq}").json()
    assert shown["confirmation"]["status"] == "confirmed"
    confirmed = world.get("seller-1", "/v1/events", claim_status="confirmed").json()["entries"]
    assert [e["seq"] for e in confirmed] == [seq]


def test_an_admin_revokes_a_key_and_it_opens_nothing_at_the_next_request(world: World) -> None:
    issued = world.client.post(
        "/v1/admin/api-keys", json={"participant_id": "buyer-1", "label": "ops"},
        headers=world.admin,
    )  # fmt: skip
    assert issued.status_code == 201, issued.text
    key = {"X-API-Key": issued.json()["secret"]}
    assert world.client.get("/v1/events", headers=key).status_code == 200
    listed = world.client.get("/v1/admin/api-keys", params={"participant": "buyer-1"},
                              headers=world.admin).json()  # fmt: skip
    assert issued.json()["key_id"] in {k["key_id"] for k in listed}
    assert all("secret" not in k for k in listed)
    gone = world.client.delete(f"/v1/admin/api-keys/{issued.json()['key_id']}", headers=world.admin)
    assert gone.json() == {"key_id": issued.json()["key_id"], "revoked": True}
    assert world.client.get("/v1/events", headers=key).status_code == 401


def test_administration_needs_an_admin_key(world: World) -> None:
    for method, path in (
        ("get", "/v1/admin/api-keys"),
        ("delete", "/v1/admin/api-keys/" + "0" * 16),
    ):
        response = getattr(world.client, method)(path, headers=world.firms["seller-1"].headers)
        assert response.status_code == 403
    response = world.client.post(
        "/v1/admin/api-keys", json={"participant_id": "seller-1"},
        headers=world.firms["seller-1"].headers,
    )  # fmt: skip
    assert response.status_code == 403


def test_a_key_scoped_to_a_role_acts_only_in_it(world: World) -> None:
    signing = SigningKey.generate()
    world.ledger.register_participant(
        "trader-1", "Trader", ["seller", "buyer"], "DE", signing.public_key, SINCE
    )
    scoped = {"participant_id": "trader-1", "roles": ["buyer"], "expires_at": "2026-06-02T00:00Z"}
    issued = world.client.post("/v1/admin/api-keys", json=scoped, headers=world.admin)
    assert issued.status_code == 201, issued.text
    trader = Firm("trader-1", signing, issued.json()["secret"])
    listing = trader.event(
        "information", "listing.published",
        {"listing_id": "l-1", "sku": "sku-1", "price": USD, "seller": "trader-1"}, [],
    )  # fmt: skip
    response = world.client.post("/v1/events", json=listing.to_json(), headers=trader.headers)
    assert response.status_code == 403
    assert response.json()["field"] == "type"
    world.clock.set(NOW + timedelta(days=1))  # past the key's expiry
    assert world.client.get("/v1/events", headers=trader.headers).status_code == 401
    roles = world.client.post(
        "/v1/admin/api-keys", json={"participant_id": "buyer-1", "roles": ["lender"]},
        headers=world.admin,
    )  # fmt: skip
    assert roles.status_code == 422
    assert roles.json()["field"] == "roles"


def test_rate_limits_answer_429_with_retry_after(tmp_path: Path) -> None:
    ticks = iter(float(n) * 0.001 for n in range(1000))
    limiter = RateLimiter(rate=1.0, burst=2, clock=lambda: next(ticks))
    for world in _world(tmp_path, limiter):
        answers = [world.get("buyer-1", "/v1/events").status_code for _ in range(3)]
        assert answers == [200, 200, 429]
        refused = world.get("buyer-1", "/v1/events")
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["error"] == "rate_limited"
        assert world.get("seller-1", "/v1/events").status_code == 200  # another key's bucket


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/entries/9223372036854775808", {}, "seq"),
        ("/v1/events", {"after": "9223372036854775808"}, "after"),
        ("/v1/events", {"start_seq": "99999999999999999999999"}, "start_seq"),
        ("/v1/events", {"since": "9999-12-31T23:59:59-23:59"}, "since"),
        ("/v1/events", {"until": "0001-01-01T00:00:00+23:59"}, "until"),
        ("/v1/events", {"since": "2026-01-01T00:00:00"}, "since"),
        ("/v1/checkpoints/9223372036854775808", {}, "tree_size"),
        ("/v1/proofs/inclusion", {"seq": "9223372036854775808"}, "seq"),
        ("/v1/epcis/events", {"after": "9223372036854775808"}, "after"),
        ("/v1/epcis/events", {"GE_eventTime": "9999-12-31T23:59:59-23:59"}, "GE_eventTime"),
    ],
)
def test_out_of_range_parameters_are_4xx_naming_them(
    world: World, path: str, params: dict[str, str], field: str
) -> None:
    response = world.get("buyer-1", path, **params)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["field"] == field


def test_discovery_is_public(world: World) -> None:
    key = world.client.get("/v1/ledger/key").json()
    assert key["public_key"] == world.ledger.public_key.hex()
    assert key["verifier_key"].startswith(world.ledger.origin + "+")
    types = {t["type"]: t for t in world.client.get("/v1/event-types").json()}
    assert types["payment.made"]["authority"]["actor_fields"] == ["payer"]
    assert types["payment.made"]["confirmation"]["parties"] == ["payee"]
    signed = world.ledger.checkpoint()
    size = signed.checkpoint.tree_size
    assert world.client.get(f"/v1/checkpoints/{size}").json()["note"] == signed.note
    assert world.client.get(f"/v1/checkpoints/{size + 1}").status_code == 404
