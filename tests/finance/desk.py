"""A small warehouse-finance world on a real ledger: one warehouse, two sellers, three
lenders and a price publisher, each signing its own acts, and readers of the projection."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from ledger.core.entry import LedgerEntry
from ledger.core.events import Event
from ledger.log import Ledger
from tests.ledger.scenario import key_for

T0 = datetime(2025, 3, 3, 9, tzinfo=UTC)  # a Monday, before the test ledger's clock
WAREHOUSE, SELLER, OTHER = "wh-qingdao-01", "seller-alu-01", "seller-alu-02"
LENDERS = ("bank-a", "bank-b", "bank-c")
PUBLISHER = "prices-lme"
ROLES = {
    WAREHOUSE: ["warehouse"],
    SELLER: ["seller"],
    OTHER: ["seller"],
    PUBLISHER: ["price_publisher"],
}
COMMODITY, UNIT = "aluminium", "t"  # base metals: 70/80/90% with a 3% haircut
VALUE_PER_LOT = 20_000_000  # 100 t at 2,000.00


def usd(minor: int) -> dict[str, Any]:
    return {"amount_minor": minor, "currency": "USD"}


def register(ledger: Ledger, extra_lenders: int = 0) -> None:
    everyone = {**ROLES, **{pid: ["lender"] for pid in LENDERS}}
    everyone.update({f"bank-x{i:03d}": ["lender"] for i in range(extra_lenders)})
    for pid, roles in everyone.items():
        ledger.register_participant(
            pid, pid, roles, "CN", key_for(pid).public_key, T0 - timedelta(days=30)
        )


@dataclass
class Desk:
    ledger: Ledger
    url: str = ""
    clock: itertools.count[int] = field(default_factory=itertools.count)
    ids: itertools.count[int] = field(default_factory=itertools.count)

    def event(
        self, actor: str, flow: str, etype: str, payload: dict[str, Any], days: float = 0
    ) -> Event:
        n = next(self.ids)
        when = T0 + timedelta(days=days, minutes=next(self.clock))
        return Event.create(
            key_for(actor),
            flow=flow,
            type=etype,
            actor=actor,
            payload=payload,
            occurred_at=when,
            event_id=f"00000000-0000-4000-8000-{n:012d}",
        )

    def act(
        self, actor: str, flow: str, etype: str, payload: dict[str, Any], days: float = 0
    ) -> LedgerEntry:
        return self.ledger.append(self.event(actor, flow, etype, payload, days))

    # -- warehouse ------------------------------------------------------------------
    def receive(self, lot: str, qty: float, owner: str = SELLER) -> LedgerEntry:
        return self.act(
            WAREHOUSE,
            "logistics",
            "goods.received",
            {
                "warehouse_id": WAREHOUSE,
                "lot_id": lot,
                "sku": "ALU-INGOT",
                "quantity": qty,
                "unit": UNIT,
                "owner": owner,
            },
        )

    def issue(
        self, receipt: str, lot: str, qty: float, value: int, holder: str = SELLER, **extra: Any
    ) -> LedgerEntry:
        digest = format(abs(hash((receipt, "doc"))), "x").rjust(64, "0")[:64]
        return self.act(
            WAREHOUSE,
            "finance",
            "receipt.issued",
            {
                "receipt_id": receipt,
                "warehouse_id": WAREHOUSE,
                "holder": holder,
                "lot_id": lot,
                "commodity": COMMODITY,
                "quantity": qty,
                "value": usd(value),
                "unit": UNIT,
                "document_hash": digest,
                "grade": "P1020A",
                **extra,
            },
        )

    def cancel(self, receipt: str, reason: str = "goods_withdrawn", **extra: Any) -> LedgerEntry:
        return self.act(
            WAREHOUSE,
            "finance",
            "receipt.cancelled",
            {"receipt_id": receipt, "warehouse_id": WAREHOUSE, "reason": reason, **extra},
        )

    def count(self, lot: str, qty: float) -> LedgerEntry:
        return self.act(
            WAREHOUSE,
            "logistics",
            "stock.counted",
            {"warehouse_id": WAREHOUSE, "sku": "ALU-INGOT", "lot_id": lot, "quantity": qty},
        )

    def lose(self, lot: str, qty: float) -> LedgerEntry:
        return self.act(
            WAREHOUSE,
            "logistics",
            "goods.lost",
            {"lot_id": lot, "quantity": qty, "custodian": WAREHOUSE},
        )

    def goods_out(self, lot: str, qty: float, owner: str = SELLER) -> LedgerEntry:
        return self.act(
            WAREHOUSE,
            "logistics",
            "goods.released",
            {"warehouse_id": WAREHOUSE, "lot_id": lot, "quantity": qty, "owner": owner},
        )

    # -- borrower -------------------------------------------------------------------
    def pledge(
        self,
        receipt: str,
        lender: str,
        holder: str = SELLER,
        loan: str | None = None,
        actor: str | None = None,
    ) -> LedgerEntry:
        body = {"receipt_id": receipt, "lender": lender, "holder": holder}
        if loan:
            body["loan_id"] = loan
        return self.act(actor or holder, "finance", "receipt.pledged", body)

    # -- lender ---------------------------------------------------------------------
    def disburse(
        self, loan: str, lender: str, principal: int, receipt: str | None, borrower: str = SELLER
    ) -> LedgerEntry:
        body: dict[str, Any] = {
            "loan_id": loan,
            "borrower": borrower,
            "lender": lender,
            "principal": usd(principal),
            "rate_bp": 900,
        }
        if receipt:
            body["receipt_id"] = receipt
        return self.act(lender, "finance", "loan.disbursed", body)

    def loan_act(
        self, lender: str, name: str, loan: str, days: float = 0, **body: Any
    ) -> LedgerEntry:
        return self.act(
            lender, "finance", f"loan.{name}", {"loan_id": loan, "lender": lender, **body}, days
        )

    def repay(self, lender: str, loan: str, amount: int) -> LedgerEntry:
        return self.loan_act(lender, "repaid", loan, amount=usd(amount))

    def release(
        self, receipt: str, lender: str, reason: str = "repaid", loan: str | None = None
    ) -> LedgerEntry:
        body = {"receipt_id": receipt, "lender": lender, "reason": reason}
        if loan:
            body["loan_id"] = loan
        return self.act(lender, "finance", "receipt.released", body)

    def liquidate(
        self, lender: str, loan: str, receipt: str, proceeds: int, days: float = 0
    ) -> LedgerEntry:
        return self.act(
            lender,
            "finance",
            "collateral.liquidated",
            {"loan_id": loan, "lender": lender, "receipt_id": receipt, "proceeds": usd(proceeds)},
            days,
        )

    def price(self, minor: int, change_bp: int = 0) -> LedgerEntry:
        return self.act(
            PUBLISHER,
            "finance",
            "stock.price_changed",
            {"commodity": COMMODITY, "unit": UNIT, "price": usd(minor), "change_bp": change_bp},
        )

    # -- reading the projection -----------------------------------------------------
    def row(self, table: Any, **where: Any) -> Any:
        with self.ledger.reading() as connection:
            query = select(table.__table__)
            for key, value in where.items():
                query = query.where(getattr(table, key) == value)
            return connection.execute(query).first()

    def count_rows(self, table: Any) -> int:
        with self.ledger.reading() as connection:
            return int(
                connection.execute(select(func.count()).select_from(table.__table__)).scalar_one()
            )
