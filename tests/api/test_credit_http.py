"""Credit over HTTP on a simulated ledger: consent rules, recorded scores, credibility."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from credit.features import compute
from credit.scoring.scorer import Scorer, load
from credit.scoring.training import train
from finance_api import demo_scenario
from finance_api.app import create_app
from finance_api.auth import create_api_key
from finance_api.ratelimit import RateLimiter
from finance_api.routers.credit_service import CreditService
from ledger.core.events import Event
from ledger.log import Ledger
from simulations.signer import agent_key
from tests.credit.ledgers import grant_score_consent, simulate_into

SELLER, OTHER = "seller-000010", "seller-000011"
LENDER, STRANGER = "lender-0001", "lender-0002"
BUYER = ""  # the busiest buyer of the world, set by the fixture


@dataclass
class Credit:
    client: TestClient
    ledger: Ledger
    keys: dict[str, dict[str, str]]
    seed: int

    def get(self, who: str, path: str) -> Any:
        return self.client.get(path, headers=self.keys[who])


@pytest.fixture(scope="module")
def credit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Credit]:
    folder: Path = tmp_path_factory.mktemp("credit-http")
    sim = simulate_into(f"sqlite:///{folder / 'sim.db'}", folder / "truth")
    ledger = sim.open()
    trained = train(ledger, folder / "models", created_at=datetime.now(UTC))
    now = ledger.clock.now()
    table = compute(ledger)
    buyers = table.frame[[table.roles[p] == "buyer" for p in table.frame.index]]
    global BUYER
    BUYER = str(buyers["info_orders_placed_90d"].idxmax())  # the busiest buyer
    keys = {
        p: {"X-API-Key": create_api_key(ledger, p, "test", now)}
        for p in (SELLER, BUYER, LENDER, STRANGER)
    }
    grant_score_consent(ledger, sim.config.seed, SELLER, LENDER)
    grant_score_consent(ledger, sim.config.seed, BUYER, SELLER)
    ledger.checkpoint()
    app = create_app(ledger, limiter=RateLimiter(1e9, 10**9))
    scorer = agent_key(sim.config.seed, "platform-0001")
    app.state.credit = CreditService(Scorer(load(trained.folder)), "platform-0001", scorer)
    with TestClient(app) as client:
        yield Credit(client, ledger, keys, sim.config.seed)
    ledger.close()


def test_a_participant_sees_its_own_score_and_nothing_is_recorded(credit: Credit) -> None:
    size = credit.ledger.size()
    answer = credit.get(SELLER, f"/v1/credit/{SELLER}")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["recorded_seq"] is None
    assert 1 <= len(body["reasons"]) <= 4
    assert credit.ledger.size() == size
    checkpoint = body["checkpoint"]
    again = Scorer(credit.client.app.state.credit.scorer.loaded).score(  # type: ignore[attr-defined]
        credit.ledger, [SELLER], checkpoint["tree_size"]
    )[0]
    assert (again["score"], again["pd"], again["reasons_hash"]) == (
        body["score"], body["pd"], body["reasons_hash"],
    )  # fmt: skip


def test_without_consent_a_lender_gets_the_answer_for_nobody(credit: Credit) -> None:
    size = credit.ledger.size()
    hidden = credit.get(STRANGER, f"/v1/credit/{SELLER}")
    absent = credit.get(STRANGER, "/v1/credit/seller-999999")
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["error"] == absent.json()["error"] == "not_found"
    assert credit.get(LENDER, f"/v1/credit/{OTHER}").status_code == 404  # consent is per subject
    assert credit.ledger.size() == size  # nothing shown, nothing recorded


def test_a_score_shown_to_a_lender_is_recorded_on_the_ledger(credit: Credit) -> None:
    answer = credit.get(LENDER, f"/v1/credit/{SELLER}")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    entry = credit.ledger.entry(body["recorded_seq"])
    assert (entry.event.type, entry.event.actor) == ("credit.score_issued", "platform-0001")
    p = entry.event.payload
    assert (p["subject"], p["recipient"], p["score_id"]) == (SELLER, LENDER, body["score_id"])
    assert (p["score"], p["pd_ppm"], p["grade"]) == (body["score"], body["pd_ppm"], body["grade"])
    assert p["reasons_hash"] == body["reasons_hash"]
    assert p["tree_size"] == body["checkpoint"]["tree_size"]
    log = credit.get(SELLER, "/v1/access-log").json()
    assert any(r["reader"] == LENDER and "credit" in r["resource"] for r in log["records"])

    history = credit.get(SELLER, f"/v1/credit/{SELLER}/history").json()
    assert body["score_id"] in [i["score_id"] for i in history["items"]]
    mine = credit.get(LENDER, f"/v1/credit/{SELLER}/history").json()["items"]
    assert {i["recipient"] for i in mine} == {LENDER}
    assert credit.get(STRANGER, f"/v1/credit/{SELLER}/history").status_code == 404


def test_a_batch_answers_what_the_caller_may_see(credit: Credit) -> None:
    answer = credit.client.post(
        "/v1/credit/batch",
        json={"participants": [SELLER, OTHER, "seller-999999"]},
        headers=credit.keys[LENDER],
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [s["participant"] for s in body["scores"]] == [SELLER]
    assert body["not_found"] == [OTHER, "seller-999999"]
    too_many = {"participants": [f"seller-{i:06d}" for i in range(101)]}
    refused = credit.client.post("/v1/credit/batch", json=too_many, headers=credit.keys[LENDER])
    assert refused.status_code == 422
    assert refused.json()["field"] == "participants"


def test_a_seller_reads_a_consenting_buyers_credibility_with_its_evidence(credit: Credit) -> None:
    answer = credit.get(SELLER, f"/v1/buyers/{BUYER}/credibility")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    paid = body["payment_record"]["invoices_paid"]
    assert paid["value"] == paid["count"] > 0
    for seq in paid["entries"][:5]:
        event = credit.ledger.entry(seq).event
        assert (event.type, event.payload["payer"]) == ("payment.made", BUYER)
    assert body["channel_distribution"]["channels"]["value"]
    assert body["reputation"]["tenure_days"]["value"] > 0
    assert body["score"]["recorded_seq"] is not None  # shown to a seller: recorded
    assert credit.get(LENDER, f"/v1/buyers/{BUYER}/credibility").status_code == 404


def test_bad_parameters_are_refused_naming_the_field(credit: Credit) -> None:
    answer = credit.get(SELLER, f"/v1/credit/{SELLER}/history?limit=1000")
    assert answer.status_code == 422
    assert answer.json()["field"] == "limit"
    assert credit.get(SELLER, "/v1/credit/%20bad").json()["field"] == "participant"


def test_without_a_model_the_routes_answer_404_naming_it(tmp_path: Path) -> None:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'empty.db'}", key_file=tmp_path / "k")
    try:
        demo_scenario.register(ledger)
        key = create_api_key(ledger, "seller-shenzhen-01", "test", datetime.now(UTC))
        with TestClient(create_app(ledger)) as client:
            client.app.state.credit = None  # type: ignore[attr-defined]
            answer = client.get("/v1/credit/seller-shenzhen-01", headers={"X-API-Key": key})
        assert answer.status_code == 404
        assert answer.json()["error"] == "no_model"
    finally:
        ledger.close()


def test_concurrent_scores_shown_are_recorded_once(credit: Credit) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from ledger.core.access import Caller

    service = credit.client.app.state.credit  # type: ignore[attr-defined]
    lender = Caller(LENDER, frozenset({"lender"}))
    credit.ledger.checkpoint()  # a checkpoint no score was shown at yet
    size = credit.ledger.size()
    with ThreadPoolExecutor(8) as pool:
        shown = list(pool.map(lambda _: service.serve(credit.ledger, lender, [SELLER])[0][0],
                              range(24)))  # fmt: skip
    assert len({(s["recorded_seq"], s["score_id"]) for s in shown}) == 1  # the same score
    assert credit.ledger.size() == size + 1  # recorded once, whoever came first
    entry = credit.ledger.entry(shown[0]["recorded_seq"])
    assert entry.event.payload["score_id"] == shown[0]["score_id"]
    assert entry.event.payload["tree_size"] == shown[0]["checkpoint"]["tree_size"]


def test_a_revoked_consent_stops_the_next_score_being_shown(credit: Credit) -> None:
    grant_score_consent(credit.ledger, credit.seed, OTHER, STRANGER)
    for _ in range(2):  # the score is computed, then served from the scores in memory
        assert credit.get(STRANGER, f"/v1/credit/{OTHER}").status_code == 200
    credit.ledger.append(Event.create(
        agent_key(credit.seed, OTHER), flow="information", type="consent.revoked", actor=OTHER,
        payload={"consent_id": f"c-{OTHER}-{STRANGER}", "subject": OTHER},
        occurred_at=credit.ledger.clock.now(), subjects=[STRANGER],
    ))  # fmt: skip
    size = credit.ledger.size()
    hidden = credit.get(STRANGER, f"/v1/credit/{OTHER}")
    absent = credit.get(STRANGER, "/v1/credit/seller-999999")
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["error"] == absent.json()["error"] == "not_found"
    assert credit.ledger.size() == size  # nothing shown, nothing recorded


def test_ones_own_score_from_memory_is_the_same_answer_under_the_same_checks(
    credit: Credit,
) -> None:
    from finance_api.auth import issue_api_key, revoke_api_key

    app = credit.client.app
    issued = issue_api_key(credit.ledger, SELLER, "fast", credit.ledger.clock.now())
    headers = {"X-API-Key": issued.secret}
    path = f"/v1/credit/{SELLER}"
    answers = [credit.client.get(path, headers=headers) for _ in range(3)]
    assert {(a.status_code, a.content) for a in answers} == {(200, answers[0].content)}
    assert answers[0].json()["recorded_seq"] is None
    assert app.state.scores_rendered._items  # type: ignore[attr-defined]  # served from memory

    saved = app.state.limiter  # type: ignore[attr-defined]
    ticks = iter(float(n) * 0.001 for n in range(100))
    app.state.limiter = RateLimiter(rate=1.0, burst=2, clock=lambda: next(ticks))  # type: ignore[attr-defined]
    try:
        limited = [credit.client.get(path, headers=headers) for _ in range(4)]
    finally:
        app.state.limiter = saved  # type: ignore[attr-defined]
    assert [a.status_code for a in limited] == [200, 200, 429, 429]
    assert limited[2].json()["error"] == "rate_limited"
    assert int(limited[2].headers["Retry-After"]) >= 1

    assert revoke_api_key(credit.ledger, issued.key_id, credit.ledger.clock.now())
    refused = credit.client.get(path, headers=headers)
    assert refused.status_code == 401
    assert refused.json()["field"] == "X-API-Key"
    assert credit.client.get(path).status_code == 401  # no key at all


def test_concurrent_lender_requests_are_each_logged_and_recorded_before_they_are_answered(
    credit: Credit,
) -> None:
    import asyncio

    import httpx

    from ledger.trust.tables import AccessRecord

    app = credit.client.app
    credit.ledger.checkpoint()  # a checkpoint no score was shown at yet
    size = credit.ledger.size()
    with credit.ledger.reading() as connection:
        before = len(list(connection.execute(select(AccessRecord.id))))

    async def sixteen() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await asyncio.gather(*(
                client.get(f"/v1/credit/{SELLER}", headers=credit.keys[LENDER])
                for _ in range(16)
            ))  # fmt: skip

    answers = asyncio.run(sixteen())
    assert {a.status_code for a in answers} == {200}
    bodies = [a.json() for a in answers]
    assert len({(b["recorded_seq"], b["score_id"]) for b in bodies}) == 1
    assert credit.ledger.size() == size + 1  # the score recorded once, before any answer
    entry = credit.ledger.entry(bodies[0]["recorded_seq"])
    assert entry.event.payload["score_id"] == bodies[0]["score_id"]
    assert entry.event.payload["recipient"] == LENDER
    with credit.ledger.reading() as connection:
        rows = list(connection.execute(select(AccessRecord).order_by(AccessRecord.id)))[before:]
    assert len(rows) == 16  # every read logged, under the consent in force
    assert {(r.reader, r.consent_id, r.detail.split()[1]) for r in rows} == {
        (LENDER, f"c-{SELLER}-{LENDER}", bodies[0]["score_id"])
    }


@pytest.mark.parametrize("who", [LENDER, SELLER])
def test_the_credit_routes_keep_to_their_schema_for_a_lender_and_a_seller(
    credit: Credit, who: str
) -> None:
    """The credit and credibility routes with a model loaded, fuzzed as a lender (consent
    from one seller) and as a seller (its own score, a buyer's credibility): no 5xx, every
    answer one the schema documents, schema-invalid input refused (as the whole API is
    fuzzed in test_schemathesis.py, where no model is loaded)."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    from tests.api.test_schemathesis import CHECKS, EXAMPLES

    schema = schemathesis.openapi.from_asgi("/openapi.json", credit.client.app)
    operations = [
        result.ok() for result in schema.get_all_operations()
        if result.ok().path.startswith(("/v1/credit/{participant}", "/v1/credit/batch",
                                        "/v1/buyers/"))
    ]  # fmt: skip
    assert len(operations) >= 4
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def exercise(case: Any) -> None:
            case.call_and_validate(headers=credit.keys[who], checks=CHECKS)

        try:
            exercise()
        except Exception as exc:  # every failing operation named in one report
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
