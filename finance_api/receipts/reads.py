"""Reads of the warehouse-finance projection, shaped for the API and limited to who may see.

A receipt is seen by its holder, its warehouse and its pledgee; a loan by its borrower and
its lender; a warehouse's stock and alerts by the warehouse and the owners of the goods;
an auditor sees everything. What a caller may not see is answered like what does not exist.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, or_, select

from finance_api.domain.interest import accrue
from finance_api.domain.quantities import from_milli
from finance_api.receipts.tables import (
    AlertRow,
    LoanRow,
    MarginCallRow,
    PostingRow,
    ReceiptRow,
    StockRow,
)
from ledger.core.access import Caller

AUDITOR = "auditor"


def _everything(caller: Caller) -> bool:
    return caller.has_role(AUDITOR)


def receipt_json(row: Any) -> dict[str, Any]:
    return {
        "receipt_id": row.receipt_id,
        "warehouse_id": row.warehouse_id,
        "holder": row.holder,
        "lot_id": row.lot_id,
        "commodity": row.commodity,
        "unit": row.unit,
        "grade": row.grade,
        "insurance_ref": row.insurance_ref,
        "expires_on": row.expires_on,
        "document_hash": row.document_hash,
        "quantity": from_milli(row.quantity_milli),
        "live_quantity": from_milli(row.live_milli),
        "value": {"amount_minor": row.value_minor, "currency": row.currency},
        "status": row.status,
        "replaces": row.replaces,
        "pledged_to": row.pledged_to,
        "loan_id": row.loan_id,
        "issued_seq": row.issued_seq,
    }


def receipts(
    connection: Connection, caller: Caller, limit: int, after: str | None
) -> list[dict[str, Any]]:
    query = select(ReceiptRow.__table__).order_by(ReceiptRow.receipt_id).limit(limit)
    if after is not None:
        query = query.where(ReceiptRow.receipt_id > after)
    if not _everything(caller):
        me = caller.participant_id
        query = query.where(
            or_(ReceiptRow.holder == me, ReceiptRow.warehouse_id == me, ReceiptRow.pledged_to == me)
        )
    return [receipt_json(row) for row in connection.execute(query)]


def receipt(connection: Connection, caller: Caller, receipt_id: str) -> dict[str, Any] | None:
    row = connection.execute(
        select(ReceiptRow.__table__).where(ReceiptRow.receipt_id == receipt_id)
    ).first()
    me = caller.participant_id
    if row is None or not (
        _everything(caller) or me in (row.holder, row.warehouse_id, row.pledged_to)
    ):
        return None
    return receipt_json(row)


def stock(connection: Connection, caller: Caller, warehouse: str) -> list[dict[str, Any]]:
    query = select(StockRow.__table__).where(StockRow.warehouse_id == warehouse)
    if not (_everything(caller) or caller.participant_id == warehouse):
        query = query.where(StockRow.owner == caller.participant_id)
    rows = connection.execute(query.order_by(StockRow.lot_id, StockRow.owner)).all()
    out = []
    for row in rows:
        live = (
            connection.execute(
                select(ReceiptRow.live_milli).where(
                    ReceiptRow.warehouse_id == warehouse,
                    ReceiptRow.lot_id == row.lot_id,
                    ReceiptRow.holder == row.owner,
                    ReceiptRow.status != "cancelled",
                )
            )
            .scalars()
            .all()
        )
        out.append(
            {
                "lot_id": row.lot_id,
                "owner": row.owner,
                "sku": row.sku,
                "unit": row.unit,
                "held": from_milli(row.held_milli),
                "received": from_milli(row.received_milli),
                "out": from_milli(row.out_milli),
                "covered_by_receipts": from_milli(sum(live)),
                "last_count": None if row.counted_milli is None else from_milli(row.counted_milli),
            }
        )
    return out


def alerts(
    connection: Connection, caller: Caller, warehouse: str | None, limit: int
) -> list[dict[str, Any]]:
    query = select(AlertRow.__table__).order_by(AlertRow.seq.desc()).limit(limit)
    if warehouse is not None:
        query = query.where(AlertRow.warehouse_id == warehouse)
    if not _everything(caller):
        query = query.where(AlertRow.warehouse_id == caller.participant_id)
    return [
        {
            "seq": r.seq,
            "kind": r.kind,
            "warehouse_id": r.warehouse_id,
            "lot_id": r.lot_id,
            "held": from_milli(r.held_milli),
            "covered_by_receipts": from_milli(r.covered_milli),
            "counted": None if r.counted_milli is None else from_milli(r.counted_milli),
        }
        for r in connection.execute(query)
    ]


def loan_json(connection: Connection, row: Any, today: date) -> dict[str, Any]:
    def money(n: int) -> dict[str, Any]:
        return {"amount_minor": int(n), "currency": row.currency}

    call = None
    if row.call_seq is not None:
        c = connection.execute(
            select(MarginCallRow.__table__).where(MarginCallRow.seq == row.call_seq)
        ).one()
        call = {
            "seq": c.seq,
            "ltv_bp": c.ltv_bp,
            "cure_by": c.cure_by,
            "amount_due": money(c.amount_due_minor),
        }
    daily = accrue(row.owed_principal, row.rate_bp or 0, today - timedelta(days=1), today)
    secured = (
        connection.execute(
            select(ReceiptRow.receipt_id).where(
                ReceiptRow.loan_id == row.loan_id, ReceiptRow.status == "live"
            )
        )
        .scalars()
        .all()
    )
    return {
        "loan_id": row.loan_id,
        "borrower": row.borrower,
        "lender": row.lender,
        "status": row.status,
        "principal": money(row.principal_minor),
        "owed": {
            "fees": money(row.owed_fees),
            "interest": money(row.owed_interest),
            "principal": money(row.owed_principal),
        },
        "balance": money(row.owed_fees + row.owed_interest + row.owed_principal),
        "collateral_value": None if row.value_minor is None else money(row.value_minor),
        "ltv_bp": row.ltv_bp,
        "ltv_state": row.ltv_state,
        "margin_call": call,
        "receipts": list(secured),
        "surplus_to_borrower": money(row.surplus_minor),
        "rate_bp": row.rate_bp,
        "daily_interest_act365": money(daily.interest),
    }


def loans(
    connection: Connection,
    caller: Caller,
    today: date,
    limit: int,
    after: str | None,
    state: str | None = None,
) -> list[dict[str, Any]]:
    query = select(LoanRow.__table__).order_by(LoanRow.loan_id).limit(limit)
    if after is not None:
        query = query.where(LoanRow.loan_id > after)
    if state is not None:
        query = query.where(LoanRow.ltv_state == state)
    if not _everything(caller):
        me = caller.participant_id
        query = query.where(or_(LoanRow.lender == me, LoanRow.borrower == me))
    return [loan_json(connection, row, today) for row in connection.execute(query)]


def loan(
    connection: Connection, caller: Caller, loan_id: str, today: date
) -> dict[str, Any] | None:
    row = connection.execute(select(LoanRow.__table__).where(LoanRow.loan_id == loan_id)).first()
    if row is None or not (
        _everything(caller) or caller.participant_id in (row.lender, row.borrower)
    ):
        return None
    shown = loan_json(connection, row, today)
    shown["postings"] = [
        {
            "seq": p.seq,
            "kind": p.kind,
            "amount_minor": p.amount_minor,
            "fees": p.fees_delta,
            "interest": p.interest_delta,
            "principal": p.principal_delta,
            "surplus": p.surplus_minor,
        }
        for p in connection.execute(
            select(PostingRow.__table__)
            .where(PostingRow.loan_id == loan_id)
            .order_by(PostingRow.seq)
        )
    ]
    return shown
