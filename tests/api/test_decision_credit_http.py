"""Automatic decisions over HTTP with the real trained scorer, on a simulated ledger: each
decision uses the PD the scoring service gives at the newest checkpoint, the cut-off and the
referral band decide as the lender set them, and the worst rule wins."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from credit.features import compute
from credit.scoring.scorer import Scorer, load
from credit.scoring.training import train
from finance_api.app import create_app
from finance_api.auth import create_api_key
from finance_api.lending.decision_desk import DecisionDesk
from finance_api.ratelimit import RateLimiter
from finance_api.routers.credit_service import CreditService
from ledger.core.events import Event, format_timestamp
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from simulations.signer import agent_key
from tests.credit.ledgers import simulate_into

LENDER = "lender-0001"
DECISION_KEY = SigningKey(hashlib.sha256(b"tests: lender-0001 decides").digest())
WORST = {"pass": 0, "approve": 0, "refer": 1, "decline": 2}


def _signed(seed: int, actor: str, flow: str, etype: str, payload: dict[str, Any],
            at: datetime) -> dict[str, Any]:  # fmt: skip
    return Event.create(agent_key(seed, actor), flow=flow, type=etype, actor=actor,
                        payload=payload, occurred_at=at, subjects=[LENDER],
                        event_id=str(uuid.uuid4())).to_json()  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Ledger, Any]]:
    folder: Path = tmp_path_factory.mktemp("decisions-real")
    sim = simulate_into(f"sqlite:///{folder / 'sim.db'}", folder / "truth")
    ledger = sim.open()
    trained = train(ledger, folder / "models", created_at=datetime.now(UTC))
    ledger.add_key(LENDER, DECISION_KEY.public_key, ledger.clock.now() - timedelta(days=1))
    ledger.checkpoint()
    table = compute(ledger)
    sellers = sorted(p for p in table.frame.index if table.roles[p] == "seller")[:12]
    app = create_app(ledger, limiter=RateLimiter(1e9, 10**9))
    scorer = Scorer(load(trained.folder))
    platform = agent_key(sim.config.seed, "platform-0001")
    app.state.credit = CreditService(scorer, "platform-0001", platform)
    app.state.decisions = DecisionDesk({LENDER: DECISION_KEY})
    now = ledger.clock.now()
    keys = {p: {"X-API-Key": create_api_key(ledger, p, "test", now)} for p in [*sellers, LENDER]}
    with TestClient(app) as client:
        yield client, ledger, (sim.config.seed, sellers, keys, scorer)
    ledger.close()


def test_decisions_follow_the_real_scorers_pd_and_the_lenders_band(world: Any) -> None:
    client, ledger, (seed, sellers, keys, scorer) = world
    pds = {}
    for seller in sellers:  # each one's own score: shown to itself, nothing recorded
        own = client.get(f"/v1/credit/{seller}", headers=keys[seller])
        assert own.status_code == 200, own.text
        pds[seller] = own.json()["pd_ppm"]
    ranked = sorted(pds.values())
    refer, decline = ranked[len(ranked) // 3], ranked[2 * len(ranked) // 3]
    put = client.put("/v1/credit/policy", headers=keys[LENDER],
                     json={"pd_refer_ppm": refer, "pd_decline_ppm": decline})  # fmt: skip
    assert put.status_code == 200, put.text
    now = ledger.clock.now()
    seen = set()
    for seller in sellers:
        tag = f"real-{seller}"
        application = _signed(seed, seller, "finance", "credit.application",
                              {"application_id": tag, "applicant": seller, "lender": LENDER,
                               "product": "credit_line",
                               "requested": {"amount_minor": 500_000, "currency": "USD"}},
                              now - timedelta(minutes=5))  # fmt: skip
        consent = _signed(seed, seller, "information", "consent.granted",
                          {"consent_id": f"c-{tag}", "subject": seller, "grantee": LENDER,
                           "scope": ["score"],
                           "expires_at": format_timestamp(now + timedelta(days=30))},
                          now - timedelta(minutes=6))  # fmt: skip
        answer = client.post("/v1/credit/applications", headers=keys[seller],
                             json={"events": [application, consent]})  # fmt: skip
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert body["model_version"] == scorer.version
        assert body["checkpoint"]["tree_size"] == ledger.latest_checkpoint_size()
        pd = body["pd_ppm"]
        assert pd == pds[seller]  # the same model, the same checkpoint, the same PD
        band = "decline" if pd > decline else "refer" if pd > refer else "pass"
        rules = {r.split(":")[0]: r.split(":")[1].split()[0] for r in body["rules"]}
        assert rules["pd_cutoff"] == band
        assert body["outcome"] == max(rules.values(), key=WORST.__getitem__).replace(
            "pass", "approve")  # fmt: skip
        assert len(body["reasons"]) <= 4
        if body["outcome"] == "decline":
            assert body["reasons"]
            assert all(r["text"] for r in body["reasons"])
        seen.add(band)
        entry = ledger.entry(body["seq"])
        assert (entry.event.actor, entry.event.key_id) == (LENDER, DECISION_KEY.key_id)
    assert seen == {"pass", "refer", "decline"}
