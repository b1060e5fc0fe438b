"""Reads of the receivables projection, shaped for the API and limited to who may see.

A financing is seen by its lender, its seller (the lender's client) and its debtor, and by
auditors; what a caller may not see is answered like what does not exist. (A lender's
exposure on its open financings is in :mod:`finance_api.lending.portfolio`.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, or_, select

from finance_api.lending.receivable_projector import from_row
from finance_api.lending.receivable_tables import ReceivableFinancing, ReceivablePosting
from finance_api.lending.rules.receivables import settlement
from ledger.core.access import Caller

AUDITOR = "auditor"


def _money(amount: int, currency: str) -> dict[str, Any]:
    return {"amount_minor": amount, "currency": currency}


def financing_json(row: Any) -> dict[str, Any]:
    fin = from_row(row)
    cur = fin.currency
    shown: dict[str, Any] = {
        "financing_id": fin.financing_id, "document_kind": fin.document_kind,
        "document_id": fin.document_id, "document_key": fin.document_key,
        "order_id": fin.order_id, "seller": fin.seller, "debtor": fin.debtor,
        "lender": fin.lender, "status": fin.status, "recourse": fin.recourse,
        "face": _money(fin.face, cur), "advance_rate_bp": fin.advance_rate_bp,
        "advanced": _money(fin.advanced, cur), "reserve": _money(fin.reserve, cur),
        "fee_bp": fin.fee_bp, "fee_period_days": fin.fee_period_days,
        "due_date": fin.due_date.isoformat(), "financed_on": fin.financed_on.isoformat(),
        "collected": _money(fin.collected, cur), "recourse_paid": _money(fin.recourse_paid, cur),
        "fee": _money(fin.fee, cur), "rebate": _money(fin.rebate, cur),
        "written_off": _money(fin.written_off, cur), "converted": _money(fin.converted, cur),
        "loan_id": fin.loan_id, "advance_out": _money(fin.advance_out, cur),
        "balance": _money(fin.balance, cur), "settlement_due": None,
    }  # fmt: skip
    if fin.status == "open" and fin.advance_out == 0:
        fee, rebate = settlement(fin)
        shown["settlement_due"] = {"fee": _money(fee, cur), "rebate": _money(rebate, cur)}
    return shown


def _visible(caller: Caller) -> Any:
    if caller.has_role(AUDITOR):
        return None
    me = caller.participant_id
    table = ReceivableFinancing.__table__
    return or_(table.c.lender == me, table.c.seller == me, table.c.debtor == me)


def financing(connection: Connection, caller: Caller, financing_id: str) -> dict[str, Any] | None:
    """One financing with its postings, or None when absent or not the caller's to see."""
    table = ReceivableFinancing.__table__
    query = select(table).where(table.c.financing_id == financing_id)
    if (seen := _visible(caller)) is not None:
        query = query.where(seen)
    row = connection.execute(query).first()
    if row is None:
        return None
    shown = financing_json(row)
    postings = ReceivablePosting.__table__
    shown["postings"] = [
        {"seq": p.seq, "component": p.component, "amount_minor": p.amount_minor,
         "posted_on": p.posted_on.isoformat()}
        for p in connection.execute(
            select(postings).where(postings.c.financing_id == financing_id)
            .order_by(postings.c.seq, postings.c.component))
    ]  # fmt: skip
    return shown


def financings(connection: Connection, caller: Caller, status: str | None, limit: int,
               after: str | None) -> list[dict[str, Any]]:  # fmt: skip
    """The financings the caller is a party to (auditors: all), by id after the cursor."""
    table = ReceivableFinancing.__table__
    query = select(table).order_by(table.c.financing_id).limit(limit)
    if (seen := _visible(caller)) is not None:
        query = query.where(seen)
    if status is not None:
        query = query.where(table.c.status == status)
    if after is not None:
        query = query.where(table.c.financing_id > after)
    return [financing_json(row) for row in connection.execute(query)]
