"""The demo's factoring story ends as promised: an invoice factored and settled with the
fee by days outstanding, a second financing of it refused, an advance payment open."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from finance_api import demo_receipts, demo_receivables
from finance_api.lending.receivable_projector import read_financings
from ledger.audit.database import verify_database
from ledger.core.clock import FixedClock
from ledger.core.keys import SigningKey
from ledger.log import Ledger


def test_the_story_factors_once_and_settles(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    clock = FixedClock(datetime(2025, 12, 31, 18, tzinfo=UTC))
    with Ledger.open(url, ledger_key=SigningKey(bytes(range(32))), clock=clock) as ledger:
        demo_receipts.run(ledger)  # the demo tells this one first
        rows = dict(demo_receivables.run(ledger))
        with ledger.reading() as connection:
            (fin,) = read_financings(connection, financing_id="demo-fin-1")
            (adv,) = read_financings(connection, financing_id="demo-adv-1")
            assert read_financings(connection, financing_id="demo-fin-2") == []
    assert (fin.status, fin.advanced, fin.fee) == ("settled", 4_250_000, 112_500)  # 1.5%/30 d, 45 d
    assert fin.collected == fin.advanced + fin.fee + fin.rebate
    assert (adv.status, adv.document_kind) == ("open", "order")
    assert "409 already_financed on payload.document_id" in rows["double financing"]
    assert verify_database(url).tree_size > 40
