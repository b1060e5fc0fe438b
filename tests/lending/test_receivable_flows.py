"""Receivables across features: a hundred lenders race to finance one invoice (exactly one
wins), and an advance payment turns into a receipt loan when its goods land."""

from __future__ import annotations

import multiprocessing
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from finance_api.lending.receivable_projector import read_financings
from finance_api.lending.receivable_tables import ReceivableFinancing
from ledger.audit.database import verify_database
from ledger.core.errors import LedgerError
from ledger.log import Ledger
from tests.finance.desk import LENDERS, SELLER, T0, Desk, register
from tests.ledger.scenario import key_for, open_ledger
from tests.lending.lending_events import AT
from tests.lending.receivable_events import accepted_order, act, confirmed_invoice, financing
from tests.lending.receivable_race import BUYER, finance_at_once

PROCESSES, THREADS = 4, 25
SPAWN = multiprocessing.get_context("spawn")


def _world(ledger: Ledger, extra_lenders: int = 0) -> None:
    register(ledger, extra_lenders=extra_lenders)
    ledger.register_participant(BUYER, BUYER, ["buyer"], "US", key_for(BUYER).public_key,
                                T0 - timedelta(days=60))  # fmt: skip


def test_a_hundred_lenders_race_for_one_invoice_and_exactly_one_wins(ledger_url: str) -> None:
    with open_ledger(ledger_url) as ledger:
        _world(ledger, extra_lenders=PROCESSES * THREADS)
        ledger.append_batch([
            *accepted_order("o-race", 100_000, seller=SELLER, buyer=BUYER),
            *confirmed_invoice("i-race", "o-race", 100_000, seller=SELLER, buyer=BUYER),
        ])  # fmt: skip
        before = ledger.size()
    start, results = SPAWN.Barrier(PROCESSES), SPAWN.Queue()
    racers = [
        SPAWN.Process(target=finance_at_once,
                      args=(ledger_url, "i-race", w, THREADS, start, results))
        for w in range(PROCESSES)
    ]  # fmt: skip
    for process in racers:
        process.start()
    outcomes: dict[str, int] = {}
    for _ in racers:
        for key, n in results.get(timeout=300).items():
            outcomes[key] = outcomes.get(key, 0) + n
    for process in racers:
        process.join(timeout=60)
    assert [p.exitcode for p in racers] == [0] * PROCESSES
    assert outcomes == {"financed": 1, "already_financed": PROCESSES * THREADS - 1}
    with open_ledger(ledger_url) as ledger:
        assert ledger.size() == before + 1
        with ledger.reading() as connection:
            rows = read_financings(connection, document_id="i-race")
            stored = connection.execute(select(func.count()).select_from(ReceivableFinancing))
            assert stored.scalar_one() == 1
    assert len(rows) == 1
    assert rows[0].lender.startswith("bank-x")
    assert verify_database(ledger_url).tree_size == before + 1


def test_an_advance_payment_converts_into_the_receipt_loan_when_the_goods_land(
    ledger_url: str,
) -> None:
    lender, other = LENDERS[0], LENDERS[1]
    with open_ledger(ledger_url) as ledger:
        _world(ledger)
        ledger.append_batch([
            *accepted_order("o-adv", 10_000_000, seller=SELLER, buyer=BUYER),
            financing("adv-1", "order", "o-adv", 10_000_000, rate_bp=5000, lender=lender,
                      seller=SELLER, debtor=BUYER, fee_bp=100, period=30,
                      due=(AT + timedelta(days=120)).date()),
        ])  # fmt: skip
        desk = Desk(ledger, ledger_url)
        desk.receive("lot-adv", 100)
        desk.issue("r-adv", "lot-adv", 100, 20_000_000)
        desk.pledge("r-adv", lender)
        desk.disburse("loan-adv", lender, 6_000_000, "r-adv")
        on = desk.ledger.size()
        landed = T0 + timedelta(days=1)
        days = (landed.date() - AT.date()).days
        fee = (2 * 10_000_000 * 100 * days + 10_000 * 30) // (2 * 10_000 * 30)
        size = ledger.size()
        for bad, code in (
            (act("adv-1", "converted", lender=other, loan_id="loan-adv", amount=1, at=landed),
             "not_financing_lender"),
            (act("adv-1", "converted", lender=lender, loan_id="nope", amount=1, at=landed),
             "conversion_refused"),
            (act("adv-1", "converted", lender=lender, loan_id="loan-adv",
                 amount=5_000_000 + fee + 1, at=landed), "settlement_mismatch"),
        ):  # fmt: skip
            with pytest.raises(LedgerError) as caught:
                ledger.append(bad)
            assert caught.value.code == code
        assert ledger.size() == size == on
        ledger.append(act("adv-1", "converted", lender=lender, loan_id="loan-adv",
                          amount=5_000_000 + fee, at=landed))  # fmt: skip
        with ledger.reading() as connection:
            (done,) = read_financings(connection, financing_id="adv-1")
    assert (done.status, done.loan_id, done.fee, done.converted) == (
        "converted",
        "loan-adv",
        fee,
        5_000_000 + fee,
    )
    assert done.advanced + done.fee == done.converted + done.came_in
