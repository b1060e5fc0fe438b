"""A small fixed three-flow scenario: the test suites' and benchmarks' reproducible data.

Six participants trade for a year: orders, invoices, shipments, customs, warehouse receipts
pledged to a lender, payments (a share late). Every event is signed by its own actor.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from ledger.core.events import Event
from ledger.core.keys import SigningKey
from ledger.log import Ledger

PARTICIPANTS = {
    "seller-shenzhen-01": ("Shenzhen Bright Lamp Co.", ["seller"], "CN"),
    "buyer-hamburg-01": ("Hamburg Home Retail GmbH", ["buyer", "seller"], "DE"),
    "warehouse-ningbo-01": ("Ningbo Bonded Warehouse", ["warehouse"], "CN"),
    "carrier-ocean-01": ("Blue Ocean Freight", ["carrier"], "SG"),
    "lender-bank-01": ("Harbour Trade Bank", ["lender"], "HK"),
    "auditor-01": ("Clearview Audit", ["auditor"], "GB"),
}
START = datetime(2025, 1, 1, tzinfo=UTC)


def key_for(participant_id: str, seed: int = 7) -> SigningKey:
    return SigningKey(hashlib.sha256(f"demo:{seed}:{participant_id}".encode()).digest())


def register(ledger: Ledger) -> None:
    for pid, (name, roles, country) in PARTICIPANTS.items():
        ledger.register_participant(pid, name, roles, country, key_for(pid).public_key, START)


def _money(minor: int) -> dict[str, object]:
    return {"amount_minor": minor, "currency": "USD"}


def events(orders: int = 400, seed: int = 7) -> Iterator[Event]:
    """Yield about thirteen signed events per order, claims with their confirmations."""
    rng = random.Random(seed)
    seller, buyer, wh, carrier, lender = list(PARTICIPANTS)[:5]

    def make(
        actor: str,
        flow: str,
        etype: str,
        at: datetime,
        payload: dict[str, object],
        subjects: list[str],
    ) -> Event:
        return Event.create(
            key_for(actor, seed),
            flow=flow,
            type=etype,
            actor=actor,
            payload=payload,
            occurred_at=at,
            subjects=subjects,
            event_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        )

    def confirm(party: str, claim: Event, at: datetime) -> Event:
        """The bound party's signed confirmation of a claim, in the claim's flow."""
        return make(
            party, claim.flow, "claim.confirmed", at, {"claim_id": claim.id, "party": party},
            [claim.actor],
        )  # fmt: skip

    for n in range(orders):
        at = START + timedelta(hours=n * 21 + rng.randint(0, 10))
        order, total = f"order-{n:05d}", rng.randint(5_000, 80_000) * 100
        lot = f"lot-{n:05d}"
        yield make(
            buyer,
            "information",
            "order.placed",
            at,
            {
                "order_id": order,
                "seller": seller,
                "buyer": buyer,
                "total": _money(total),
                "terms_days": 30,
            },
            [seller, order],
        )
        yield make(
            seller,
            "information",
            "order.accepted",
            at + timedelta(hours=2),
            {"order_id": order, "seller": seller},
            [buyer, order],
        )
        invoice = make(
            seller,
            "information",
            "invoice.issued",
            at + timedelta(hours=3),
            {
                "invoice_id": f"inv-{n:05d}",
                "order_id": order,
                "seller": seller,
                "buyer": buyer,
                "amount": _money(total),
                "due_date": (at + timedelta(days=30)).date().isoformat(),
            },
            [buyer, order],
        )
        yield invoice
        if n % 5 != 4:  # most invoices are accepted by their buyer; some stay unconfirmed
            yield confirm(buyer, invoice, at + timedelta(hours=6))
        stocked = rng.randint(100, 900)
        received = make(
            wh,
            "logistics",
            "goods.received",
            at + timedelta(days=1),
            {
                "warehouse_id": wh,
                "lot_id": lot,
                "sku": "LAMP-220V",
                "quantity": stocked,
                "unit": "pcs",
                "owner": seller,
            },
            [seller, lot],
        )
        yield received
        yield confirm(seller, received, at + timedelta(days=1, minutes=30))
        if n % 4 == 0:
            receipt = f"wr-{n:05d}"
            yield make(
                wh,
                "finance",
                "receipt.issued",
                at + timedelta(days=1, hours=1),
                {
                    "receipt_id": receipt,
                    "warehouse_id": wh,
                    "holder": seller,
                    "lot_id": lot,
                    "commodity": "packaged goods",
                    "quantity": min(500, stocked),  # never more than the warehouse holds
                    "value": _money(total),
                    "document_hash": hashlib.sha256(receipt.encode()).hexdigest(),
                },
                [seller, receipt, lot],
            )
            pledge = make(
                seller,
                "finance",
                "receipt.pledged",
                at + timedelta(days=1, hours=2),
                {"receipt_id": receipt, "lender": lender, "holder": seller},
                [lender, receipt],
            )
            yield pledge
            yield confirm(lender, pledge, at + timedelta(days=1, hours=3))
        shipment = f"shp-{n:05d}"
        yield make(
            carrier,
            "logistics",
            "shipment.dispatched",
            at + timedelta(days=3),
            {
                "shipment_id": shipment,
                "order_id": order,
                "carrier": carrier,
                "origin": "CN",
                "destination": "DE",
                "items": [lot],
            },
            [seller, buyer, shipment, lot],
        )
        delivered = make(
            carrier,
            "logistics",
            "shipment.delivered",
            at + timedelta(days=25),
            {
                "shipment_id": shipment,
                "on_time": rng.random() > 0.1,
                "carrier": carrier,
                "consignee": buyer,
            },
            [buyer, shipment],
        )
        yield delivered
        yield confirm(buyer, delivered, at + timedelta(days=25, hours=4))
        late = rng.random() < 0.15
        paid_at = at + timedelta(days=33 + (rng.randint(5, 40) if late else 0))
        payment = make(
            buyer,
            "finance",
            "payment.made",
            paid_at,
            {
                "payment_id": f"pay-{n:05d}",
                "invoice_id": f"inv-{n:05d}",
                "amount": _money(total),
                "payer": buyer,
                "payee": seller,
                "days_late": rng.randint(5, 40) if late else 0,
            },
            [seller, order],
        )
        yield payment
        yield confirm(seller, payment, paid_at + timedelta(hours=2))
