"""The demo's receivable-finance story ends as promised: the invoice financed once, by one
bank, and the second bank's financing of the same invoice refused with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from finance_api import demo_lending
from finance_api.lending.receivable_projector import read_financings
from ledger.audit.database import verify_database
from ledger.core.clock import FixedClock
from ledger.core.keys import SigningKey
from ledger.log import Ledger


def test_the_invoice_is_factored_once_and_the_second_bank_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    clock = FixedClock(datetime(2025, 12, 31, 18, tzinfo=UTC))
    with Ledger.open(url, ledger_key=SigningKey(bytes(range(32))), clock=clock) as ledger:
        rows = dict(demo_lending.factoring(ledger))
        with ledger.reading() as connection:
            financings = read_financings(connection, document_id=demo_lending.INVOICE)
        size = ledger.size()
    assert [(f.lender, f.financing_id) for f in financings] == [
        (demo_lending.FACTOR, demo_lending.FINANCING)
    ]
    assert financings[0].advanced == demo_lending.FACE * demo_lending.ADVANCE_BP // 10_000
    assert "refused: already_financed" in rows["same invoice, second bank"]
    assert verify_database(url).tree_size == size
