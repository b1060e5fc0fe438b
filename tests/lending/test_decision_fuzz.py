"""The decision and login routes fuzzed by schemathesis with a lender's, a seller's and the
platform's keys and a scorer loaded: no 5xx, every answer one the schema documents."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis

from tests.api.test_schemathesis import _fuzz
from tests.ledger.scenario import LENDER, SELLER
from tests.ledger.stores import SqliteStore
from tests.lending.decision_world import World, build
from tests.lending.lending_events import PLATFORM

PREFIXES = ("/v1/credit/applications", "/v1/credit/decisions", "/v1/credit/policy", "/v1/fraud")


@pytest.fixture(scope="module")
def fuzzed(sqlite_store: SqliteStore) -> Iterator[tuple[Any, World]]:
    url = sqlite_store.new_url()
    ledger, client, world = build(url)
    with client:
        yield schemathesis.openapi.from_asgi("/openapi.json", client.app), world
    ledger.close()


def test_the_decision_routes_keep_to_their_schema(fuzzed: tuple[Any, World]) -> None:
    schema, world = fuzzed
    operations = [r.ok() for r in schema.get_all_operations()]
    ours = [op for op in operations if op.path.startswith(PREFIXES)]
    assert len(ours) == 6
    failures, statuses = [], Counter[int]()
    for operation in ours:
        who = (PLATFORM if operation.path.startswith("/v1/fraud") else
               SELLER if operation.path == "/v1/credit/applications" else LENDER)  # fmt: skip
        try:
            _fuzz(operation, world.keys[who]["X-API-Key"], statuses)
        except Exception as exc:  # every failing operation named in one report
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
    assert sum(statuses.values()) >= 5 * len(ours), statuses
