"""The ``finance.receipts`` projector: one read model for stock, receipts, pledges, loans.

One projector, because its rules read across all of them (a receipt needs stock, a
disbursement a pledge, a liquidation the loan's LTV, goods leaving the warehouse the live
receipts), and a projector may read only its own tables and those of projectors before it.
Each handler raises a :class:`~ledger.core.errors.LedgerError` to refuse, and then nothing
of the append is written. After an act that changes a loan's balance or collateral, the
loan is revalued, so its LTV is always current. Goods in and out of custody, most of a
batch's entries, are judged a run at a time (:mod:`.stock_run`): one read, one write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Connection, insert

from finance_api.domain.policies import BOOK, PolicyBook
from finance_api.receipts import loans, margin, registry, stock, stock_run
from finance_api.receipts.revaluation import MOVES, loans_on_lot, revalue
from finance_api.receipts.tables import TABLES, LtvMoveRow
from ledger.core.entry import LedgerEntry
from ledger.core.errors import LedgerError

Handler = Callable[[Connection, LedgerEntry, PolicyBook], object]


def _goods(connection: Connection, entry: LedgerEntry, _: PolicyBook) -> None:
    """One goods entry alone: a run of one (the projector batches runs of them)."""
    run = stock_run.StockRun(connection, [entry])
    run.apply(entry)
    run.write(connection)


def _lost(connection: Connection, entry: LedgerEntry, book: PolicyBook) -> None:
    for warehouse, lot in stock.lost(connection, entry):
        revalue(connection, book, loans_on_lot(connection, warehouse, lot))


def _plain(fn: Callable[[Connection, LedgerEntry], object]) -> Handler:
    return lambda connection, entry, _: fn(connection, entry)


def _then_revalue(fn: Callable[[Connection, LedgerEntry], str | None]) -> Handler:
    def run(connection: Connection, entry: LedgerEntry, book: PolicyBook) -> None:
        loan_id = fn(connection, entry)
        if loan_id is not None:
            revalue(connection, book, [loan_id])

    return run


HANDLERS: dict[str, Handler] = {
    "goods.received": _goods,
    "goods.lost": _lost,
    "goods.released": _goods,
    "stock.counted": _plain(stock.counted),
    "receipt.issued": _plain(registry.issued),
    "receipt.cancelled": _plain(registry.cancelled),
    "receipt.pledged": _then_revalue(registry.pledged),
    "receipt.released": _then_revalue(registry.released),
    "loan.disbursed": loans.disbursed,
    "loan.interest_posted": _then_revalue(loans.charged),
    "loan.fee_posted": _then_revalue(loans.charged),
    "loan.repaid": _then_revalue(loans.repaid),
    "loan.defaulted": _then_revalue(loans.defaulted),
    "loan.recovery_posted": _then_revalue(loans.recovered),
    "loan.written_off": _then_revalue(loans.written_off),
    "loan.schedule_issued": _plain(loans.noted),
    "loan.statement_issued": _plain(loans.noted),
    "loan.past_due": _plain(loans.noted),
    "loan.margin_called": margin.called,
    "loan.margin_cured": margin.cured,
    "collateral.liquidated": margin.liquidated,
    "stock.price_changed": margin.price,
}
# acts that change neither stock nor receipts: a run of goods entries outlives them
_KEEP_RUN = frozenset({"stock.counted", "loan.schedule_issued", "loan.statement_issued",
                       "loan.past_due"})  # fmt: skip


class ReceiptsProjector:
    name = "finance.receipts"
    version = 4  # 2: receipts on one lot share its stock pro rata; 3: postings carry their
    # date and interest is checked against the daily accrual; 4: LTV band moves recorded
    order = 40
    event_types = frozenset(HANDLERS)
    tables = TABLES

    def __init__(self, book: PolicyBook = BOOK) -> None:
        self.book = book

    def apply(self, connection: Connection, entries: Sequence[LedgerEntry]) -> None:
        moves: list[dict[str, object]] = []
        run: stock_run.StockRun | None = None
        try:
            for at, entry in enumerate(entries):
                kind = entry.event.type
                collector: dict[str, dict[str, object]] = {}
                connection.info[MOVES] = collector
                try:
                    if kind in stock_run.TYPES:  # the goods entries from here, read at once
                        run = run or stock_run.StockRun(connection, entries[at:])
                        run.apply(entry)
                        continue
                    if run is not None:  # every other act reads the tables up to date
                        run.write(connection)
                        run = run if kind in _KEEP_RUN else None
                    HANDLERS[kind](connection, entry, self.book)
                except LedgerError as exc:
                    if exc.seq is None:
                        exc.seq = entry.seq
                    raise
                moves.extend({**m, "seq": entry.seq} for _, m in sorted(collector.items())
                             if m["band"] != m["band_from"] and m["band"] is not None)  # fmt: skip
            if run is not None:
                run.write(connection)
        finally:
            connection.info.pop(MOVES, None)
        if moves:
            connection.execute(insert(LtvMoveRow), moves)


PROJECTOR = ReceiptsProjector()
