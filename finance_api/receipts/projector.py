"""The ``finance.receipts`` projector: one read model for stock, receipts, pledges, loans.

One projector, because its rules read across all of them (a receipt needs stock, a
disbursement a pledge, a liquidation the loan's LTV, goods leaving the warehouse the live
receipts), and a projector may read only its own tables and those of projectors before it.
Each handler raises a :class:`~ledger.core.errors.LedgerError` to refuse, and then nothing
of the append is written. After an act that changes a loan's balance or collateral, the
loan is revalued, so its LTV is always current.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Connection, insert

from finance_api.domain.policies import BOOK, PolicyBook
from finance_api.receipts import loans, margin, registry, stock
from finance_api.receipts.revaluation import MOVES, loans_on_lot, revalue
from finance_api.receipts.tables import TABLES, LtvMoveRow
from ledger.core.entry import LedgerEntry
from ledger.core.errors import LedgerError

Handler = Callable[[Connection, LedgerEntry, PolicyBook], object]


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
    "goods.received": _plain(stock.received),
    "goods.lost": _lost,
    "goods.released": _plain(stock.released),
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
        try:
            for entry in entries:
                collector: dict[str, dict[str, object]] = {}
                connection.info[MOVES] = collector
                try:
                    HANDLERS[entry.event.type](connection, entry, self.book)
                except LedgerError as exc:
                    if exc.seq is None:
                        exc.seq = entry.seq
                    raise
                moves.extend({**m, "seq": entry.seq} for _, m in sorted(collector.items())
                             if m["band"] != m["band_from"] and m["band"] is not None)  # fmt: skip
        finally:
            connection.info.pop(MOVES, None)
        if moves:
            connection.execute(insert(LtvMoveRow), moves)


PROJECTOR = ReceiptsProjector()
