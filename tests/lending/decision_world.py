"""A small world for automatic decisions over HTTP: the demo firms' trading, a second lender,
a platform, a decision key the lender placed with the service, a fixed scorer, API keys."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from credit.features.scan import FeatureTable
from finance_api import demo_scenario
from finance_api.app import create_app
from finance_api.auth import create_api_key
from finance_api.lending.decision_desk import DecisionDesk
from finance_api.ratelimit import RateLimiter
from finance_api.routers.credit_service import CreditService
from ledger.core.clock import FixedClock
from ledger.core.events import Event, format_timestamp
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from tests.ledger.scenario import AUDITOR, BUYER, LENDER, SELLER, T0, WAREHOUSE, batched, key_for
from tests.ledger.scenario import open_ledger as _open
from tests.lending.lending_events import OTHER_LENDER, PLATFORM, with_other_lender

NOW = datetime(2025, 4, 20, tzinfo=UTC)  # 90 days of the demo's orders behind it
DECISION_KEY = SigningKey(hashlib.sha256(b"tests: the lender's decision key").digest())
NEWCOMER = "seller-new-01"  # registered after the checkpoint: no file to score
RECEIPT = "dec-wr-1"
SHY = "seller-shy-01"  # never consents to anyone
HOLDER = "seller-secured-01"  # holds one receipt pledged to the lender, and nothing else


class FixedScorer:
    """Answers the credit scorer's protocol with one PD for everyone."""

    version = "fixed/1"

    def __init__(self, pd_ppm: int) -> None:
        self.pd_ppm = pd_ppm

    def score_table(self, table: FeatureTable, participants: Collection[str]) -> list[Any]:
        return [{"participant": p, "score": 600, "pd": self.pd_ppm / 1e6, "pd_ppm": self.pd_ppm,
                 "grade": "C", "model_version": self.version,
                 "reasons": [{"rank": 1, "code": "R01", "feature": "info_tenure_days",
                              "text": "Time on the platform: 109 days"}],
                 "checkpoint": {"tree_size": table.as_of.tree_size,
                                "root_hash": table.as_of.root_hash}}
                for p in participants]  # fmt: skip


@dataclass
class World:
    client: TestClient
    ledger: Ledger
    keys: dict[str, dict[str, str]]
    checkpoint: int
    ids: dict[str, int] = field(default_factory=dict)

    def use(self, pd_ppm: int) -> None:
        """A fixed scorer at this PD, and a fresh desk (its score cache empty)."""
        state = self.client.app.state  # type: ignore[attr-defined]
        state.credit = CreditService(FixedScorer(pd_ppm), PLATFORM, key_for(PLATFORM))  # type: ignore[arg-type]
        state.decisions = DecisionDesk({LENDER: DECISION_KEY})

    def post(self, who: str, path: str, body: Any) -> Any:
        return self.client.post(path, json=body, headers=self.keys[who])

    def get(self, who: str, path: str) -> Any:
        return self.client.get(path, headers=self.keys[who])


def signed(actor: str, flow: str, etype: str, payload: dict[str, Any], at: datetime,
           subjects: list[str]) -> Event:  # fmt: skip
    return Event.create(key_for(actor), flow=flow, type=etype, actor=actor, payload=payload,
                        occurred_at=at, subjects=subjects, event_id=str(uuid.uuid4()))  # fmt: skip


def application(app_id: str, amount: int, *, applicant: str = SELLER, lender: str = LENDER,
                receipt_id: str | None = None, at: datetime = NOW) -> dict[str, Any]:  # fmt: skip
    payload: dict[str, Any] = {
        "application_id": app_id, "applicant": applicant, "lender": lender,
        "product": "credit_line", "requested": {"amount_minor": amount, "currency": "USD"},
    }  # fmt: skip
    if receipt_id is not None:
        payload["receipt_id"] = receipt_id
    return signed(applicant, "finance", "credit.application", payload,
                  at - timedelta(minutes=5), [lender]).to_json()  # fmt: skip


def consent(subject: str = SELLER, grantee: str = LENDER, tag: str = "",
            expires: datetime = NOW + timedelta(days=90)) -> dict[str, Any]:  # fmt: skip
    payload = {
        "consent_id": f"c-{subject}-{grantee}-{tag or uuid.uuid4()}",
        "subject": subject,
        "grantee": grantee,
        "scope": ["score"],
        "expires_at": format_timestamp(expires),
    }
    return signed(subject, "information", "consent.granted", payload,
                  NOW - timedelta(minutes=6), [grantee]).to_json()  # fmt: skip


def login(account: str, ip: str, billing: str, offset: int, *, proxy: bool = False,
          device: str | None = None) -> dict[str, Any]:  # fmt: skip
    payload: dict[str, Any] = {"account": account, "ip_country": ip, "billing_country": billing,
                               "timezone": "Etc/Test", "utc_offset_minutes": offset,
                               "proxy": proxy}  # fmt: skip
    if device is not None:
        payload["device_id"] = device
    return signed(PLATFORM, "information", "account.login", payload, NOW - timedelta(hours=1),
                  [account]).to_json()  # fmt: skip


def _collateral(ledger: Ledger) -> None:
    """100 t of copper in the warehouse, a receipt for it, pledged to the lender (no loan)."""
    at = NOW - timedelta(days=3)
    ledger.register_participant(HOLDER, "Secured Seller", ["seller"], "CN",
                                key_for(HOLDER).public_key, T0)  # fmt: skip
    lot = "dec-lot-1"
    ledger.append(signed(WAREHOUSE, "logistics", "goods.received",
                         {"warehouse_id": WAREHOUSE, "lot_id": lot, "sku": "CU-CATHODE",
                          "quantity": 100, "unit": "t", "owner": HOLDER},
                         at, [HOLDER]))  # fmt: skip
    ledger.append(signed(WAREHOUSE, "finance", "receipt.issued",
                         {"receipt_id": RECEIPT, "warehouse_id": WAREHOUSE, "holder": HOLDER,
                          "lot_id": lot, "commodity": "copper", "quantity": 100,
                          "value": {"amount_minor": 20_000_000, "currency": "USD"}, "unit": "t",
                          "document_hash": hashlib.sha256(RECEIPT.encode()).hexdigest()},
                         at + timedelta(hours=1), [HOLDER]))  # fmt: skip
    ledger.append(signed(HOLDER, "finance", "receipt.pledged",
                         {"receipt_id": RECEIPT, "holder": HOLDER, "lender": LENDER},
                         at + timedelta(hours=2), [LENDER]))  # fmt: skip


def build(url: str) -> tuple[Ledger, TestClient, World]:
    ledger = _open(url, clock=FixedClock(NOW))
    demo_scenario.register(ledger)
    for chunk in batched(demo_scenario.events(orders=30), 40):
        ledger.append_batch(chunk)
    with_other_lender(ledger)
    ledger.add_key(LENDER, DECISION_KEY.public_key, T0)
    _collateral(ledger)
    ledger.register_participant(SHY, "Shy Seller", ["seller"], "CN", key_for(SHY).public_key, T0)
    ledger.checkpoint()
    checkpoint = ledger.latest_checkpoint_size()
    ledger.register_participant(NEWCOMER, "New Seller", ["seller"], "CN",
                                key_for(NEWCOMER).public_key, T0)  # fmt: skip
    keys = {p: {"X-API-Key": create_api_key(ledger, p, "test", NOW)}
            for p in (SELLER, BUYER, LENDER, OTHER_LENDER, AUDITOR, PLATFORM, NEWCOMER,
                      HOLDER, SHY)}  # fmt: skip
    app = create_app(ledger, limiter=RateLimiter(1e9, 10**9))
    client = TestClient(app)
    world = World(client, ledger, keys, checkpoint)
    world.use(20_000)
    return ledger, client, world
