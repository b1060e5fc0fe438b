"""Receipts and pledges: issued only against proven stock, pledged to one lender at a time.

A warehouse issues a receipt for goods it holds for the holder, never for more than live
receipts leave uncovered; a receipt that ``replaces`` another (a split after a partial
release) is carved out of it. The holder pledges a live receipt to one lender; a second
pledge while one stands is refused here and, should anything get past this check, by the
partial unique index on live pledges. Only the pledgee releases; full repayment of the loan
a receipt secures releases it at once (the lender's later ``receipt.released`` with reason
``repaid`` is then accepted as its record). A pledged receipt cannot be cancelled.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, insert, or_, select, update

from finance_api.domain import errors as e
from finance_api.receipts import facts, stock
from finance_api.receipts.records import receipt
from finance_api.receipts.tables import LoanRow, PledgeRow, ReceiptRow
from ledger.core.entry import LedgerEntry
from ledger.core.errors import Conflict, InvalidEvent

# built once: receipts and pledges are judged on every act (see finance_api.receipts.stock)
# a receipt id issued already, or the same document under another id: one read for both
_KNOWN_OR_SAME_DOCUMENT = select(ReceiptRow.receipt_id, ReceiptRow.document_hash).where(
    or_(ReceiptRow.receipt_id == bindparam("id"), ReceiptRow.document_hash == bindparam("h"))
)
_NEW_RECEIPT = insert(ReceiptRow)
_CARVE = (
    update(ReceiptRow)
    .where(ReceiptRow.receipt_id == bindparam("id"))
    .values(live_milli=ReceiptRow.live_milli - bindparam("m"))
)
_LOAN_PARTIES = select(LoanRow.lender, LoanRow.borrower, LoanRow.status).where(
    LoanRow.loan_id == bindparam("id")
)
_NEW_PLEDGE = insert(PledgeRow)
_SET_PLEDGEE = (
    update(ReceiptRow)
    .where(ReceiptRow.receipt_id == bindparam("id"))
    .values(pledged_to=bindparam("lender_"), loan_id=bindparam("loan_"))
)
_END_PLEDGE = (
    update(PledgeRow)
    .where(PledgeRow.receipt_id == bindparam("id"), PledgeRow.released_seq.is_(None))
    .values(released_seq=bindparam("s"), release_reason=bindparam("why"))
)
_LAST_PLEDGE = (
    select(PledgeRow.lender, PledgeRow.release_reason)
    .where(PledgeRow.receipt_id == bindparam("id"))
    .order_by(PledgeRow.pledged_seq.desc())
    .limit(1)
)


def _expired(expires: str | None, entry: LedgerEntry) -> bool:
    return expires is not None and facts.parse_date(expires, "payload.expires_on") < facts.day(
        entry
    )


def issued(connection: Connection, entry: LedgerEntry) -> None:
    p = entry.event.payload
    receipt_id = facts.text(entry, "receipt_id")
    warehouse, holder, lot = (
        facts.text(entry, "warehouse_id"),
        facts.text(entry, "holder"),
        facts.text(entry, "lot_id"),
    )
    milli = facts.quantity(entry)
    if milli <= 0:
        raise e.InvalidAmount("a receipt must cover a positive quantity", field="payload.quantity")
    value, currency = facts.money(entry, "value")
    digest = facts.text(entry, "document_hash")
    clashes = connection.execute(_KNOWN_OR_SAME_DOCUMENT, {"id": receipt_id, "h": digest}).all()
    if any(row.receipt_id == receipt_id for row in clashes):
        raise Conflict(f"receipt {receipt_id} was issued already", field="payload.receipt_id")
    if any(row.document_hash == digest for row in clashes):
        raise e.AlreadyRegistered(
            "a receipt with that document hash exists: one receipt per document",
            field="payload.document_hash",
        )
    expires = facts.optional(entry, "expires_on")
    if _expired(expires, entry):
        raise e.ReceiptExpired(
            "the receipt would be expired when issued", field="payload.expires_on"
        )
    replaces = facts.optional(entry, "replaces")
    if replaces is None:  # stock and live receipts in one read; a replacement carves first
        have, cover = stock.held_and_covered(connection, warehouse, lot, holder)
    else:
        have, cover = stock.held(connection, warehouse, lot, holder), None
    if have is None:
        raise e.GoodsNotHeld(
            f"{warehouse} has received no goods of lot {lot} for {holder}", field="payload.lot_id"
        )
    if replaces is None or not _carve(connection, replaces, warehouse, holder, lot, milli):
        if cover is None:
            cover = stock.covered(connection, warehouse, lot, holder)
        if cover + milli > have:
            raise e.ReceiptExceedsStock(
                f"{warehouse} holds {have / 1000:g} of lot {lot} for {holder} and live receipts "
                f"cover {cover / 1000:g}: no receipt for {milli / 1000:g} more",
                field="payload.quantity",
            )
    connection.execute(
        _NEW_RECEIPT,
        {
            "receipt_id": receipt_id,
            "warehouse_id": warehouse,
            "holder": holder,
            "lot_id": lot,
            "commodity": str(p["commodity"]),
            "unit": facts.optional(entry, "unit"),
            "grade": facts.optional(entry, "grade"),
            "insurance_ref": facts.optional(entry, "insurance_ref"),
            "expires_on": expires,
            "document_hash": digest,
            "quantity_milli": milli,
            "live_milli": milli,
            "value_minor": value,
            "currency": currency,
            "status": "live",
            "replaces": replaces,
            "issued_seq": entry.seq,
            "closed_seq": None,
            "pledged_to": None,
            "loan_id": None,
        },
    )


def _carve(
    connection: Connection, replaces: str, warehouse: str, holder: str, lot: str, milli: int
) -> bool:
    """Carve a replacement out of the live receipt it replaces; False when that one is
    cancelled already (its goods are free again: the replacement is judged like any)."""
    old = receipt(connection, replaces, "payload.replaces")
    if (old.warehouse_id, old.holder, old.lot_id) != (warehouse, holder, lot):
        raise InvalidEvent(
            "a replacement keeps the warehouse, holder and lot of the receipt it replaces",
            field="payload.replaces",
        )
    if old.status == "cancelled":
        return False
    if old.status != "live":
        raise e.ReceiptNotLive(f"receipt {replaces} is {old.status}", field="payload.replaces")
    if old.pledged_to is not None:
        raise e.StillPledged(
            f"receipt {replaces} is pledged: the lender releases it before it is split",
            field="payload.replaces",
        )
    if milli > old.live_milli:
        raise e.ReceiptExceedsStock(
            f"receipt {replaces} covers {old.live_milli / 1000:g}: a split cannot cover more",
            field="payload.quantity",
        )
    connection.execute(_CARVE, {"id": replaces, "m": milli})
    return True


def cancelled(connection: Connection, entry: LedgerEntry) -> None:
    receipt_id = facts.text(entry, "receipt_id")
    row = receipt(connection, receipt_id, "payload.receipt_id")
    if row.warehouse_id != facts.text(entry, "warehouse_id"):
        raise e.NotIssuer(
            "only the issuing warehouse cancels a receipt", field="payload.warehouse_id"
        )
    if row.status == "cancelled":
        raise e.AlreadyCancelled(
            f"receipt {receipt_id} is cancelled already", field="payload.receipt_id"
        )
    if row.pledged_to is not None:
        raise e.StillPledged(
            f"receipt {receipt_id} is pledged to a lender, who must release it first",
            field="payload.receipt_id",
        )
    if facts.optional(entry, "reason") == "liquidated" and row.status != "liquidated":
        raise e.ReceiptNotLive(f"receipt {receipt_id} was not liquidated", field="payload.reason")
    if row.status == "liquidated":  # the sold goods leave
        held = stock.held(connection, row.warehouse_id, row.lot_id, row.holder) or 0
        sold = min(row.live_milli, held)  # a loss may have taken some already
        stock.take_out(connection, row.warehouse_id, row.lot_id, row.holder, sold)
    connection.execute(
        update(ReceiptRow)
        .where(ReceiptRow.receipt_id == receipt_id)
        .values(status="cancelled", live_milli=0, closed_seq=entry.seq)
    )


def pledged(connection: Connection, entry: LedgerEntry) -> str | None:
    """Record the pledge; return the loan it tops up, if any (to revalue)."""
    receipt_id = facts.text(entry, "receipt_id")
    holder, lender = facts.text(entry, "holder"), facts.text(entry, "lender")
    loan_id = facts.optional(entry, "loan_id")
    row = receipt(connection, receipt_id, "payload.receipt_id")
    if row.status != "live" or row.live_milli <= 0:
        raise e.ReceiptNotLive(f"receipt {receipt_id} is {row.status}", field="payload.receipt_id")
    if row.holder != holder:
        raise e.NotHolder(f"receipt {receipt_id} is not held by {holder}", field="payload.holder")
    if _expired(row.expires_on, entry):
        raise e.ReceiptExpired(f"receipt {receipt_id} has expired", field="payload.receipt_id")
    if row.pledged_to is not None:
        raise e.AlreadyPledged(
            f"receipt {receipt_id} is pledged already: one lender at a time",
            field="payload.receipt_id",
        )
    if loan_id is not None:
        loan = connection.execute(_LOAN_PARTIES, {"id": loan_id}).first()
        if loan is not None and (loan.lender, loan.borrower) != (lender, holder):
            raise InvalidEvent(
                f"loan {loan_id} is not {lender}'s loan to {holder}", field="payload.loan_id"
            )
        if loan is not None and loan.status not in ("open", "defaulted"):
            raise e.LoanClosed(f"loan {loan_id} is {loan.status}", field="payload.loan_id")
    connection.execute(
        _NEW_PLEDGE,
        {
            "pledged_seq": entry.seq,
            "receipt_id": receipt_id,
            "holder": holder,
            "lender": lender,
            "loan_id": loan_id,
            "released_seq": None,
            "release_reason": None,
        },
    )
    connection.execute(_SET_PLEDGEE, {"id": receipt_id, "lender_": lender, "loan_": loan_id})
    return loan_id


def release(connection: Connection, receipt_id: str, seq: int, reason: str) -> None:
    connection.execute(_END_PLEDGE, {"id": receipt_id, "s": seq, "why": reason})
    connection.execute(_SET_PLEDGEE, {"id": receipt_id, "lender_": None, "loan_": None})


def released(connection: Connection, entry: LedgerEntry) -> str | None:
    """The pledgee releases; return the loan that loses the collateral (to revalue)."""
    receipt_id, lender = facts.text(entry, "receipt_id"), facts.text(entry, "lender")
    reason = facts.optional(entry, "reason")
    row = receipt(connection, receipt_id, "payload.receipt_id")
    if row.pledged_to is None:
        last = connection.execute(_LAST_PLEDGE, {"id": receipt_id}).first()
        if (
            last is not None
            and (last.release_reason, last.lender) == ("loan_repaid", lender)
            and reason in (None, "repaid")
        ):
            return None  # the lender's record of a release the repayment made
        raise e.NotPledged(f"receipt {receipt_id} is not pledged", field="payload.receipt_id")
    if row.pledged_to != lender:
        raise e.NotPledgee(
            f"receipt {receipt_id} is not pledged to {lender}", field="payload.lender"
        )
    if reason == "liquidation" and row.status != "liquidated":
        raise e.ReceiptNotLive(f"receipt {receipt_id} was not liquidated", field="payload.reason")
    release(connection, receipt_id, entry.seq, reason or "released")
    return row.loan_id
