"""The demo's warehouse-finance story, told on the ledger after the simulated year.

Three lots of copper arrive at a bonded warehouse; the warehouse issues a receipt for
each; the owner pledges them to two banks, which lend against them (one at the full 70%
advance rate). Interest accrues (ACT/365) and is posted; then copper falls 22.8%. The
revaluation puts one loan into margin-call territory (the bank calls margin, with five
business days to cure) and the boldest one past its liquidation point: its bank sells the
copper, the proceeds pay fees, interest and principal, the surplus goes back to the owner,
and the receipt is released and cancelled. Every step is a signed event of the party that
acts, judged by the ``finance.receipts`` projection; everything shows over the API
(``GET /v1/lenders/portfolio``, ``/v1/receipts``, ``/v1/loans/{id}``) with the auditor key
printed at the end.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from typing import Any

from finance_api.auth import create_api_key
from finance_api.domain.interest import accrue
from finance_api.receipts import reads
from ledger.core.access import Caller
from ledger.core.clock import FixedClock
from ledger.core.events import Event
from ledger.core.keys import SigningKey
from ledger.log import Ledger

WAREHOUSE, OWNER, PRICES, AUDITOR = (
    "demo-wh-qingdao",
    "demo-copper-trader",
    "demo-prices",
    "demo-auditor",
)
BANK_A, BANK_B = "demo-bank-harbour", "demo-bank-delta"
PARTIES = {
    WAREHOUSE: "warehouse",
    OWNER: "seller",
    PRICES: "price_publisher",
    AUDITOR: "auditor",
    BANK_A: "lender",
    BANK_B: "lender",
}
TONNES, PRICE, DROPPED = 100, 900_000, 695_000  # 100 t lots; 9,000.00 then 6,950.00 a tonne
LOANS = {
    "demo-loan-a": (BANK_A, 45_000_000),
    "demo-loan-b": (BANK_B, 61_100_000),
    "demo-loan-c": (BANK_A, 56_000_000),
}
RATE_BP = 900


def _key(pid: str) -> SigningKey:
    return SigningKey(hashlib.sha256(f"threeflow demo receipts: {pid}".encode()).digest())


def _usd(minor: int) -> dict[str, Any]:
    return {"amount_minor": minor, "currency": "USD"}


class _Story:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.at = ledger.clock.now() + timedelta(hours=1)
        self.n = 0

    def act(
        self,
        actor: str,
        flow: str,
        etype: str,
        payload: dict[str, Any],
        later: timedelta = timedelta(minutes=5),
    ) -> None:
        self.at += later
        clock = self.ledger.clock
        if isinstance(clock, FixedClock) and clock.now() < self.at:
            clock.set(self.at)
        self.n += 1
        uid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"threeflow/demo-receipts/{self.n}"))
        self.ledger.append(
            Event.create(
                _key(actor),
                flow=flow,
                type=etype,
                actor=actor,
                payload=payload,
                occurred_at=self.at,
                event_id=uid,
            )
        )


def run(ledger: Ledger) -> list[tuple[str, str]]:
    """Tell the story; return the rows the demo prints (what, value)."""
    start = ledger.clock.now()
    for pid, role in PARTIES.items():
        ledger.register_participant(
            pid, pid, [role], "CN", _key(pid).public_key, start - timedelta(days=1)
        )
    story = _Story(ledger)
    for i, (loan_id, (bank, principal)) in enumerate(LOANS.items()):
        lot, receipt = f"demo-lot-{i}", f"demo-wr-{i}"
        story.act(
            WAREHOUSE,
            "logistics",
            "goods.received",
            {
                "warehouse_id": WAREHOUSE,
                "lot_id": lot,
                "sku": "CU-CATHODE",
                "quantity": TONNES,
                "unit": "t",
                "owner": OWNER,
            },
        )
        story.act(
            WAREHOUSE,
            "finance",
            "receipt.issued",
            {
                "receipt_id": receipt,
                "warehouse_id": WAREHOUSE,
                "holder": OWNER,
                "lot_id": lot,
                "commodity": "copper",
                "quantity": TONNES,
                "value": _usd(TONNES * PRICE),
                "unit": "t",
                "grade": "LME Grade A",
                "insurance_ref": f"demo-policy-{i}",
                "expires_on": (start + timedelta(days=365)).date().isoformat(),
                "document_hash": hashlib.sha256(receipt.encode()).hexdigest(),
            },
        )
        story.act(
            OWNER,
            "finance",
            "receipt.pledged",
            {"receipt_id": receipt, "holder": OWNER, "lender": bank, "loan_id": loan_id},
        )
        story.act(
            bank,
            "finance",
            "loan.disbursed",
            {
                "loan_id": loan_id,
                "borrower": OWNER,
                "lender": bank,
                "principal": _usd(principal),
                "receipt_id": receipt,
                "rate_bp": RATE_BP,
            },
        )
        story.act(
            bank,
            "finance",
            "loan.fee_posted",
            {
                "loan_id": loan_id,
                "lender": bank,
                "amount": _usd(principal // 200),
                "fee": "origination",
            },
        )
    story.act(
        PRICES,
        "finance",
        "stock.price_changed",
        {"commodity": "copper", "unit": "t", "price": _usd(PRICE), "change_bp": 0},
    )
    opened = story.at.date()
    story.at += timedelta(days=30)
    for loan_id, (bank, principal) in LOANS.items():
        interest = accrue(principal, RATE_BP, opened, story.at.date()).interest
        story.act(
            bank,
            "finance",
            "loan.interest_posted",
            {
                "loan_id": loan_id,
                "lender": bank,
                "amount": _usd(interest),
                "rate_bp": RATE_BP,
                # the days from the disbursement up to yesterday: today's accrues next time
                "period_end": (story.at.date() - timedelta(days=1)).isoformat(),
            },
        )
    change = (DROPPED - PRICE) * 10_000 // PRICE
    story.act(
        PRICES,
        "finance",
        "stock.price_changed",
        {"commodity": "copper", "unit": "t", "price": _usd(DROPPED), "change_bp": change},
    )
    called = _loan(ledger, "demo-loan-c")
    story.act(
        BANK_A,
        "finance",
        "loan.margin_called",
        {"loan_id": "demo-loan-c", "lender": BANK_A, "ltv_bp": called["ltv_bp"]},
    )
    sold = _loan(ledger, "demo-loan-b")
    proceeds = 65_000_000
    story.act(
        BANK_B,
        "finance",
        "collateral.liquidated",
        {
            "loan_id": "demo-loan-b",
            "lender": BANK_B,
            "receipt_id": "demo-wr-1",
            "proceeds": _usd(proceeds),
            "quantity": TONNES,
        },
        timedelta(hours=2),
    )
    story.act(
        BANK_B,
        "finance",
        "receipt.released",
        {
            "receipt_id": "demo-wr-1",
            "lender": BANK_B,
            "loan_id": "demo-loan-b",
            "reason": "liquidation",
        },
    )
    story.act(
        WAREHOUSE,
        "finance",
        "receipt.cancelled",
        {"receipt_id": "demo-wr-1", "warehouse_id": WAREHOUSE, "reason": "liquidated"},
    )
    surplus = _loan(ledger, "demo-loan-b")["surplus_to_borrower"]["amount_minor"]
    story.act(
        BANK_B,
        "finance",
        "payment.made",
        {
            "payment_id": "demo-pay-surplus",
            "amount": _usd(surplus),
            "payer": BANK_B,
            "payee": OWNER,
            "loan_id": "demo-loan-b",
            "purpose": "refund",
        },
    )
    key = create_api_key(ledger, AUDITOR, "demo", story.at)
    return [
        (
            "warehouse finance",
            f"3 copper receipts pledged; copper fell {-change / 100:.1f}%: "
            f"demo-loan-c in margin call at {called['ltv_bp'] / 100:.2f}% LTV, demo-loan-b past "
            f"{sold['ltv_bp'] / 100:.2f}% liquidated (surplus {surplus / 100:,.2f} USD "
            "to the owner)",
        ),
        ("see it", "curl -H 'X-API-Key: <key>' http://127.0.0.1:8000/v1/lenders/portfolio"),
        ("auditor key", key),
    ]


def _loan(ledger: Ledger, loan_id: str) -> dict[str, Any]:
    caller = Caller(AUDITOR, frozenset({"auditor"}))
    with ledger.reading() as connection:
        found = reads.loan(connection, caller, loan_id, ledger.clock.now().date())
    assert found is not None, loan_id
    return found
