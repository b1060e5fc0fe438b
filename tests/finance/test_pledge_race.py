"""The 100-way pledge race: four processes, 25 threads each, one receipt, 100 lenders.

Exactly one pledge wins; the 99 others are refused as ``already_pledged`` and write
nothing. On PostgreSQL the writers really run at once (the sequencer's row lock orders
them); on SQLite ``BEGIN IMMEDIATE`` does.
"""

from __future__ import annotations

import multiprocessing

from finance_api.receipts.tables import PledgeRow, ReceiptRow
from ledger.audit.database import verify_database
from tests.finance.desk import VALUE_PER_LOT, Desk, register
from tests.finance.race_workers import RECEIPT, pledge_at_once
from tests.ledger.scenario import open_ledger

PROCESSES, THREADS = 4, 25
SPAWN = multiprocessing.get_context("spawn")


def test_a_hundred_pledges_of_one_receipt_race_and_exactly_one_wins(ledger_url: str) -> None:
    with open_ledger(ledger_url) as ledger:
        register(ledger, extra_lenders=PROCESSES * THREADS)
        desk = Desk(ledger, ledger_url)
        desk.receive("lot-race", 100)
        desk.issue(RECEIPT, "lot-race", 100, VALUE_PER_LOT)
        before = ledger.size()
    start, results = SPAWN.Barrier(PROCESSES), SPAWN.Queue()
    racers = [
        SPAWN.Process(target=pledge_at_once, args=(ledger_url, w, THREADS, start, results))
        for w in range(PROCESSES)
    ]
    for process in racers:
        process.start()
    outcomes: dict[str, int] = {}
    for _ in racers:
        for key, n in results.get(timeout=300).items():
            outcomes[key] = outcomes.get(key, 0) + n
    for process in racers:
        process.join(timeout=60)
    assert [p.exitcode for p in racers] == [0] * PROCESSES
    assert outcomes == {"pledged": 1, "already_pledged": PROCESSES * THREADS - 1}
    with open_ledger(ledger_url) as ledger:
        assert ledger.size() == before + 1
        desk = Desk(ledger, ledger_url)
        assert desk.count_rows(PledgeRow) == 1
        winner = desk.row(PledgeRow, receipt_id=RECEIPT).lender
        assert desk.row(ReceiptRow, receipt_id=RECEIPT).pledged_to == winner
    assert verify_database(ledger_url).tree_size == before + 1
