"""The demo's automatic decisions on a simulated ledger with the real trained scorer: one
approval, one referral and one decline, each a credit.decision signed with the lender's
decision key, the decline with at most four reasons; the demo's book rows count them."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select

from credit.scoring.training import train
from finance_api import demo_decisions
from finance_api.lending.decision_keys import ENV
from ledger.audit.database import verify_database
from ledger.core.keys import key_id_for
from ledger.storage.models import Entry
from tests.credit.ledgers import simulate_into


def test_the_demo_approves_refers_and_declines_with_reasons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    sim = simulate_into(url, tmp_path / "truth")
    with sim.open() as ledger:
        trained = train(ledger, tmp_path / "models", created_at=datetime.now(UTC))
        before = ledger.size()
        rows = demo_decisions.run(ledger, trained.folder, tmp_path / "keys", seed=sim.config.seed)
        book = dict(demo_decisions.book(ledger, "tf_key", 8000))
        with ledger.reading() as connection:
            decisions = (
                connection.execute(
                    select(Entry.canonical).where(
                        Entry.type == "credit.decision", Entry.seq >= before
                    )
                )
                .scalars()
                .all()
            )
        size = ledger.size()
    assert os.environ[ENV] == str(tmp_path / "keys")
    assert (tmp_path / "keys" / f"{demo_decisions.LENDER}.key").exists()
    outcomes = {what: value for what, value in rows if what.startswith("automatic")}
    assert set(outcomes) == {
        "automatic decision: approve",
        "automatic decision: refer",
        "automatic decision: decline",
    }
    declined = outcomes["automatic decision: decline"]
    assert "reasons: " in declined
    assert 1 <= declined.split("reasons: ", 1)[1].count(";") + 1 <= 4
    assert "limit" not in declined
    signers = {orjson.loads(body)["key_id"] for body in decisions}
    assert len(decisions) == 3
    assert signers == {key_id_for(demo_decisions._decision_key().public_key)}
    assert "risk alerts of lender-0001" in book
    assert verify_database(url).tree_size == size
