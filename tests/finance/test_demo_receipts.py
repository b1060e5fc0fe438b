"""The demo's warehouse-finance story ends as promised: receipts pledged, a price drop, one
loan in margin call, one liquidated through the waterfall, all on a ledger that verifies."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from finance_api import demo_receipts
from finance_api.receipts.tables import LoanRow, MarginCallRow, ReceiptRow
from ledger.audit.database import verify_database
from ledger.core.clock import FixedClock
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from tests.finance.desk import Desk


def test_the_story_ends_with_a_margin_call_and_a_liquidation(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    clock = FixedClock(datetime(2025, 12, 31, 18, tzinfo=UTC))
    with Ledger.open(url, ledger_key=SigningKey(bytes(range(32))), clock=clock) as ledger:
        rows = dict(demo_receipts.run(ledger))
        desk = Desk(ledger, url)
        states = {k: desk.row(LoanRow, loan_id=k) for k in demo_receipts.LOANS}
        assert states["demo-loan-a"].ltv_state == "healthy"
        assert states["demo-loan-c"].ltv_state == "margin_call"
        assert desk.row(MarginCallRow, loan_id="demo-loan-c").closed_seq is None
        assert states["demo-loan-b"].status == "liquidated"
        assert states["demo-loan-b"].surplus_minor > 0
        assert desk.row(ReceiptRow, receipt_id="demo-wr-1").status == "cancelled"
        assert desk.row(ReceiptRow, receipt_id="demo-wr-2").pledged_to == demo_receipts.BANK_A
    assert "margin call" in rows["warehouse finance"]
    assert rows["auditor key"]
    assert verify_database(url).tree_size > 30
