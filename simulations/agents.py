"""The agents of the ecosystem and their hidden state.

Each agent is a small mutable record (``__slots__``) so a hundred thousand of them fit in a
few hundred megabytes. What an agent *is* (role, country, size, sector) is fixed; what it
*hides* (creditworthiness, operational and logistics quality, cash, distress, fraud intent)
moves month by month and is only ever written to the ground truth, never to the ledger.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from simulations.facilities import CreditLine, Facility, Lot, ReceiptLoan
from simulations.signer import Signer


@dataclass(frozen=True, slots=True)
class Identity:
    """What the ledger's registry learns about a participant."""

    participant_id: str
    legal_name: str
    role: str
    country: str
    timezone: str
    utc_offset_minutes: int
    kind: str  # size, warehouse kind, buyer kind...


@dataclass(frozen=True, slots=True)
class LoginProfile:
    """An account's habits as the platform would see them: chances per login, devices."""

    abroad: float  # IP in another country
    proxy: float
    card_abroad: float  # card billed in another country
    clock_abroad: float  # device clock set to another time zone
    devices: tuple[str, ...]  # opaque ids; shared within a family business or a ring


class Agent:
    """A participant: platform, customs, warehouse, carrier, lender, inspector, publisher."""

    __slots__ = ("identity", "logins", "signer")

    def __init__(self, identity: Identity, signer: Signer) -> None:
        self.identity = identity
        self.signer = signer
        self.logins: LoginProfile | None = None

    @property
    def pid(self) -> str:
        return self.identity.participant_id


class Buyer(Agent):
    """An overseas e-tailer or distributor that orders, pays (on time or not) and reviews."""

    __slots__ = ("channel", "discipline", "discipline_start", "fraud", "market", "terms_days")

    def __init__(
        self,
        identity: Identity,
        signer: Signer,
        *,
        market: int,
        channel: str,
        terms_days: int,
        discipline: float,
        fraud: bool,
    ) -> None:
        super().__init__(identity, signer)
        self.market = market
        self.channel = channel
        self.terms_days = terms_days
        self.discipline = discipline
        self.discipline_start = discipline
        self.fraud = fraud


class Seller(Agent):
    """An SME exporter: trades, stocks goods, borrows, and may fail, default or defraud."""

    __slots__ = (
        "agenda",
        "applications",
        "applied_month",
        "buyers",
        "carrier",
        "cash",
        "counter",
        "credit",
        "credit_start",
        "default_date",
        "delivered",
        "delivered_on_time",
        "demand_cut",
        "distress_left",
        "distress_months",
        "expected_sales",
        "failure_date",
        "fixed_cost",
        "fraud",
        "fraud_from",
        "lender",
        "lines",
        "loans",
        "logistics",
        "logistics_start",
        "lots",
        "markets",
        "monthly_cost",
        "num",
        "payouts",
        "quality",
        "quality_start",
        "sector",
        "size",
        "skus",
        "status",
        "tick",
        "warehouse",
    )  # fmt: skip

    def __init__(
        self,
        identity: Identity,
        signer: Signer,
        *,
        num: int,
        size: int,
        sector: int,
        markets: tuple[int, ...],
        warehouse: int | None,
        lender: int,
        carrier: int,
        credit: float,
        quality: float,
        logistics: float,
        cash: int,
        fixed_cost: int,
        fraud: bool,
    ) -> None:
        super().__init__(identity, signer)
        self.num = num
        self.size = size
        self.sector = sector
        self.markets = markets
        self.warehouse = warehouse
        self.lender = lender  # the lender it goes to first
        self.carrier = carrier
        self.credit = self.credit_start = credit
        self.quality = self.quality_start = quality
        self.logistics = self.logistics_start = logistics
        self.cash = cash
        self.fixed_cost = fixed_cost
        self.fraud = fraud
        self.fraud_from = 0  # the month a fraudster starts applying for credit
        self.status = "active"  # active | failed | absconded
        self.distress_left = 0  # months a lost-buyer shock still cuts demand
        self.demand_cut = 0.0
        self.distress_months = 0  # months spent in distress so far (ground truth)
        self.buyers: list[int] = []
        self.skus: list[str] = []
        self.lines: list[CreditLine] = []
        self.loans: list[ReceiptLoan] = []
        self.lots: list[Lot] = []
        self.payouts: deque[int] = deque([0] * 6, maxlen=6)
        self.applications: deque[datetime] = deque(maxlen=8)  # as lenders see them
        self.delivered = 0
        self.delivered_on_time = 0
        self.counter = 0
        self.tick = 0
        self.monthly_cost = fixed_cost
        self.expected_sales = 0
        self.applied_month = -99
        self.default_date: date | None = None
        self.failure_date: date | None = None
        # (when, sequence, action, data): the seller's own discrete-event calendar.
        self.agenda: list[tuple[datetime, int, Any, Any]] = []

    def next_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.num:06d}-{self.counter:05d}"

    @property
    def trading(self) -> bool:
        return self.status == "active"

    @property
    def distressed(self) -> bool:
        return self.distress_left > 0

    def facilities(self) -> list[Facility]:
        """Receipt loans first (their collateral is at stake), then credit lines."""
        return [*self.loans, *self.lines]

    def open_facilities(self) -> list[Facility]:
        return [f for f in self.facilities() if not f.closed]

    def live_facilities(self) -> list[Facility]:
        return [f for f in self.facilities() if f.live]

    def debt(self) -> int:
        return sum(f.balance for f in self.open_facilities())

    def max_dpd(self, today: date) -> int:
        firsts = [f.first_missed for f in self.live_facilities()]
        missed = [day for day in firsts if day is not None and day < today]
        return max(((today - day).days for day in missed), default=0)
