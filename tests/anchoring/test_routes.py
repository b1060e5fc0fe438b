"""``GET /v1/anchors`` on a small app of its own: public, paginated, parameters checked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from finance_api import errors
from ledger.anchoring.routes import MAX_LIMIT, build_router
from ledger.anchoring.store import add_pending, confirm, ledger_id_for, orphan, set_block
from ledger.core.access import Caller
from ledger.core.errors import Unauthorized
from ledger.log import Ledger
from tests.ledger.scenario import NOW, open_ledger

CONTRACT = "0x" + "ab" * 20


def nobody() -> Caller:
    """A caller dependency that refuses everyone: public routes must not ask for it."""
    raise Unauthorized("no API key")


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with open_ledger(f"sqlite:///{tmp_path / 'routes.db'}") as opened:
        yield opened


@pytest.fixture
def client(ledger: Ledger) -> Iterator[TestClient]:
    def ledger_dep(request: Request) -> Ledger:
        return ledger

    app = FastAPI()
    errors.install(app)
    app.include_router(build_router(ledger_dep, nobody))
    with TestClient(app) as test_client:
        yield test_client


def record(ledger: Ledger, count: int) -> None:
    """``count`` anchors: every third confirmed, every third orphaned, the rest pending."""
    with ledger.unit_of_work(lock=False) as uow:
        for i in range(count):
            add_pending(
                uow.connection,
                ledger_id=ledger_id_for(ledger.origin),
                tree_size=10 * (i + 1),
                root_hash=bytes([i]) * 32,
                chain_id=31337,
                contract=CONTRACT,
                tx_hash=bytes([0xF0, i]) * 16,
                nonce=i,
                created_at=NOW + timedelta(minutes=i),
                sender="0x" + "ab" * 20,
            )
            row_id = i + 1
            if i % 3 == 0:
                set_block(uow.connection, row_id, 100 + i, bytes([0xB0, i]) * 16)
                confirm(uow.connection, row_id, NOW + timedelta(minutes=i, seconds=30))
            elif i % 3 == 1:
                orphan(uow.connection, row_id)
        uow.commit()


def test_every_anchor_is_public_with_where_it_landed(ledger: Ledger, client: TestClient) -> None:
    record(ledger, 3)
    response = client.get("/v1/anchors")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_after"] is None
    first, second, third = body["anchors"]
    assert first == {
        "id": 1,
        "ledger_id": ledger_id_for(ledger.origin).hex(),
        "tree_size": 10,
        "root_hash": "00" * 32,
        "chain_id": 31337,
        "contract": CONTRACT,
        "tx_hash": "f000" * 16,
        "nonce": 0,
        "block_number": 100,
        "block_hash": "b000" * 16,
        "status": "confirmed",
        "created_at": "2026-01-01T00:00:00Z",
        "confirmed_at": "2026-01-01T00:00:30Z",
    }
    assert (second["status"], second["block_number"], second["block_hash"]) == (
        "orphaned",
        None,
        None,
    )
    assert (third["status"], third["confirmed_at"]) == ("pending", None)


def test_pages_follow_the_cursor_to_the_end(ledger: Ledger, client: TestClient) -> None:
    record(ledger, 7)
    seen: list[int] = []
    after: int | None = None
    pages = 0
    while True:
        params = {"limit": 3} | ({} if after is None else {"after": after})
        body = client.get("/v1/anchors", params=params).json()
        pages += 1
        seen += [a["tree_size"] for a in body["anchors"]]
        after = body["next_after"]
        if after is None:
            break
        assert len(body["anchors"]) == 3
    assert seen == [10 * (i + 1) for i in range(7)]
    assert pages == 3
    assert client.get("/v1/anchors", params={"limit": 7}).json()["next_after"] is None
    assert client.get("/v1/anchors", params={"after": 7}).json() == {
        "anchors": [],
        "next_after": None,
    }


def test_an_empty_ledger_has_no_anchors(client: TestClient) -> None:
    assert client.get("/v1/anchors").json() == {"anchors": [], "next_after": None}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": MAX_LIMIT + 1}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"after": -1}, "after"),
        ({"after": "first"}, "after"),
    ],
)
def test_bad_parameters_are_refused_with_the_field(
    client: TestClient, params: dict[str, object], field: str
) -> None:
    response = client.get("/v1/anchors", params=params)
    assert response.status_code == 422
    body = response.json()
    assert (body["error"], body["field"]) == ("invalid_request", field)
