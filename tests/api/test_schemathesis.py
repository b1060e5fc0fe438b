"""The whole OpenAPI schema, fuzzed by schemathesis on a short budget: no 5xx, and every
answer — status, content type, body — is one the schema documents.

Requests carry a valid API key (an auditor's, who may read everything) so the fuzzing
reaches past authentication; the admin routes get the operator's key.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from finance_api import demo_scenario
from finance_api.app import create_app
from finance_api.auth import create_api_key
from finance_api.lending.stream import StreamLimits, Streams
from finance_api.ratelimit import RateLimiter
from ledger.core.clock import FixedClock
from ledger.core.keys import SigningKey
from ledger.log import CheckpointPolicy, Ledger
from tests.api.conftest import NOW

KEYS: dict[str, str] = {}
# What "keeps to its schema" means: no 5xx; every status, content type, header and body
# documented; schema-invalid input refused. (Not "every schema-valid request succeeds": a
# tree size past the head is well formed and still answered 422 naming the field.)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    ledger = Ledger.open(
        f"sqlite:///{folder / 'fuzz.db'}",
        ledger_key=SigningKey(bytes(range(32))),
        clock=FixedClock(NOW),
        policy=CheckpointPolicy(every_entries=50, every_seconds=1e9),
    )
    demo_scenario.register(ledger)
    ledger.append_batch(list(demo_scenario.events(orders=6)))
    ledger.checkpoint()
    KEYS["reader"] = create_api_key(ledger, "auditor-01", "fuzz", NOW)
    KEYS["admin"] = create_api_key(ledger, "operator", "fuzz", NOW)
    app = create_app(ledger, limiter=RateLimiter(1e9, 10**9))
    # the alert stream ends after a tenth of a second here, so each fuzzed call returns
    app.state.risk_streams = Streams(StreamLimits(poll_seconds=0.02, max_seconds=0.1))
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    ledger.close()


EXAMPLES = int(os.environ.get("THREEFLOW_FUZZ_EXAMPLES", "12"))  # a short budget in CI


def _fuzz(operation: Any, key: str, statuses: Counter[int]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)  # fmt: skip
    def exercise(case: Any) -> None:
        response = case.call_and_validate(headers={"X-API-Key": key}, checks=CHECKS)
        statuses[response.status_code] += 1

    exercise()


def test_the_api_keeps_to_its_schema(api_schema: Any) -> None:
    """Every operation, a dozen generated requests each; every failing operation is named.

    (schemathesis's own pytest plugin does not run on this pytest; its strategies and
    checks are used directly, through hypothesis.)
    """
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    failures = []
    statuses: Counter[int] = Counter()
    for operation in operations:
        key = KEYS["admin"] if operation.path.startswith("/v1/admin") else KEYS["reader"]
        try:
            _fuzz(operation, key, statuses)
        except Exception as exc:  # collect them all: one report names every bad operation
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
    assert sum(n for status, n in statuses.items() if status < 300) >= len(operations) // 2
    assert sum(statuses.values()) >= 5 * len(operations), statuses
