"""A ledger written before the receivables projection existed builds it from its log when
opened with it installed: its orders and invoices are then known, and financeable once."""

from __future__ import annotations

import pytest

from finance_api import demo_scenario
from ledger.core.clock import FixedClock
from ledger.core.errors import LedgerError
from ledger.log import Ledger
from ledger.storage.db import make_engines, migrate
from ledger.storage.projections import Projectors
from tests.ledger.scenario import LEDGER_KEY, NOW, open_ledger
from tests.lending.lending_events import OTHER_LENDER, with_other_lender
from tests.lending.receivable_events import financing, invoice_world


def test_the_projection_is_built_from_the_log_on_open(ledger_url: str) -> None:
    engines = make_engines(ledger_url)
    migrate(engines)
    without = [p for p in Projectors.installed() if p.name != "lending.receivables"]
    old = Ledger(engines, ledger_key=LEDGER_KEY, clock=FixedClock(NOW), projectors=without)
    demo_scenario.register(old)
    with_other_lender(old)
    _, invoice_id, world = invoice_world(100_000)
    old.append_batch(world)
    old.close()
    with open_ledger(ledger_url) as ledger:
        ledger.append(financing("f-up-1", "invoice", invoice_id, 100_000))
        with pytest.raises(LedgerError) as caught:
            ledger.append(financing("f-up-2", "invoice", invoice_id, 100_000,
                                    lender=OTHER_LENDER))  # fmt: skip
        assert caught.value.code == "already_financed"
