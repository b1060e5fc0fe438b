"""The client against a served ledger on each store: SQLite and PostgreSQL.

Onboarding goes through the admin API (register, issue a key), then the participant signs,
submits a batch, and proves every entry against a checkpoint it verified.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from finance_api.client import NotYetCovered, ThreeflowClient
from ledger.core.keys import SigningKey
from tests.client.served import BIN, served
from tests.ledger.stores import PgStore

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
PRICE = {"amount_minor": 990, "currency": "EUR"}


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'served.db'}"
        return
    try:
        store = PgStore()
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is unreachable (CI=true: it must run): {exc}")
        pytest.skip(f"PostgreSQL is unreachable: {exc}")
    url = store.new_url()
    yield url
    store.drop(url)
    store.close()


def test_onboard_submit_and_prove_over_http(tmp_path: Path, db: str) -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    with served(tmp_path, db) as url:
        admin_key = subprocess.run(
            ["threeflow", "apikey-create", "operator", "--db", db], cwd=tmp_path, env=env,
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        admin = {"X-API-Key": admin_key}
        ledger_key = bytes.fromhex(httpx.get(url + "/v1/ledger/key").json()["public_key"])
        key = SigningKey.generate()
        registered = httpx.post(url + "/v1/admin/participants", headers=admin, json={
            "participant_id": "shop-7", "legal_name": "Shop Seven", "roles": ["seller"],
            "country": "FR", "gs1_prefixes": ["0614141"], "public_key": key.public_key.hex(),
        })  # fmt: skip
        assert registered.status_code == 201, registered.text
        issued = httpx.post(url + "/v1/admin/api-keys", headers=admin,
                            json={"participant_id": "shop-7", "roles": ["seller"]})  # fmt: skip
        assert issued.status_code == 201, issued.text
        with ThreeflowClient(
            url,
            participant_id="shop-7",
            signing_key=key,
            api_key=issued.json()["secret"],
            ledger_key=ledger_key,
        ) as client:
            events = [
                client.event(
                    "information",
                    "listing.published",
                    {"listing_id": f"l-{n}", "sku": "s", "price": PRICE, "seller": "shop-7"},
                )
                for n in range(20)
            ]
            done = client.submit(events)
            assert [d.seq for d in done] == list(range(done[0].seq, done[0].seq + 20))
            again = client.submit(events)  # the same batch again: nothing new
            assert all(d.replayed for d in again)
            head = _wait_cover(client, done[-1].seq)
            for d in done:
                assert client.prove(d.seq, d.leaf_hash).tree_size >= head


def _covered(client: ThreeflowClient, seq: int) -> bool:
    try:
        return client.checkpoint().tree_size > seq
    except NotYetCovered:
        return False


def _wait_cover(client: ThreeflowClient, seq: int) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if _covered(client, seq):
            return client.checkpoint().tree_size
        time.sleep(0.3)
    raise AssertionError("no checkpoint covered the batch within 60 s")
