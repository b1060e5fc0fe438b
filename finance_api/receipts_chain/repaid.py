"""Receipts a closed loan released on the ledger, so the registry is told as well.

The ``finance.receipts`` projection releases a receipt the moment its loan closes (repaid
in full, written off: release reason ``loan_<status>``); no ``receipt.released`` event is
needed for that, so the registry gate asks the projection, in the append's own
transaction, which pledges the batch's entries closed that way.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from finance_api.receipts.tables import PledgeRow, ReceiptRow
from ledger.core.entry import Appended


def released_by_repayment(
    connection: Connection, entries: Sequence[Appended]
) -> list[tuple[str, str, str, bytes]]:
    """(op id, receipt id, lender, document hash) of each pledge a loan closed here."""
    seqs = {
        e.seq: e.event.id for e in entries if not e.replayed and e.event.type.startswith("loan.")
    }
    if not seqs:
        return []
    rows = connection.execute(
        select(
            PledgeRow.released_seq, PledgeRow.receipt_id, PledgeRow.lender, ReceiptRow.document_hash
        )
        .join(ReceiptRow, ReceiptRow.receipt_id == PledgeRow.receipt_id)
        .where(PledgeRow.released_seq.in_(seqs), PledgeRow.release_reason.startswith("loan_"))
    ).all()
    return [
        (
            f"{seqs[r.released_seq]}:release:{r.receipt_id}",
            r.receipt_id,
            r.lender,
            bytes.fromhex(r.document_hash),
        )
        for r in rows
    ]
