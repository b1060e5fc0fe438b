"""The agents of the ecosystem and their hidden state.

Each agent is a small mutable record (``__slots__``) so a hundred thousand of them fit in a
few hundred megabytes. What an agent *is* (role, country, size, sector) is fixed; what it
*hides* (creditworthiness, operational quality, cash) moves month by month and is only
ever written to the ground truth, never to the ledger.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

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


class Agent:
    """An infrastructure participant: platform, warehouse, carrier, customs or lender."""

    __slots__ = ("identity", "signer")

    def __init__(self, identity: Identity, signer: Signer) -> None:
        self.identity = identity
        self.signer = signer

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


class Facility:
    """Credit owed to a lender, with its overdue instalments oldest first."""

    __slots__ = ("closed", "lender", "opened", "overdue")

    def __init__(self, lender: int, opened: date) -> None:
        self.lender = lender
        self.opened = opened
        self.overdue: list[tuple[date, int]] = []
        self.closed = False

    @property
    def ident(self) -> str:
        raise NotImplementedError

    @property
    def balance(self) -> int:
        raise NotImplementedError

    @property
    def arrears(self) -> int:
        return sum(amount for _, amount in self.overdue)

    @property
    def first_missed(self) -> date | None:
        return self.overdue[0][0] if self.overdue else None

    def fall_due(self, day: date, amount: int) -> None:
        if amount > 0:
            self.overdue.append((day, amount))

    def apply(self, amount: int) -> None:
        """Apply a payment to the oldest overdue amounts first."""
        while amount > 0 and self.overdue:
            day, due = self.overdue[0]
            if amount >= due:
                amount -= due
                self.overdue.pop(0)
            else:
                self.overdue[0] = (day, due - amount)
                amount = 0


class CreditLine(Facility):
    """A revolving line from a lender: limit and drawn balance."""

    __slots__ = ("drawn", "drawn_total", "limit", "line_id")

    def __init__(self, line_id: str, lender: int, limit: int, opened: date) -> None:
        super().__init__(lender, opened)
        self.line_id = line_id
        self.limit = limit
        self.drawn = 0
        self.drawn_total = 0

    @property
    def ident(self) -> str:
        return self.line_id

    @property
    def balance(self) -> int:
        return self.drawn


class ReceiptLoan(Facility):
    """A loan against a pledged warehouse receipt: one lot, one lender, amortising."""

    __slots__ = ("cure_by", "loan_id", "lot", "maturity", "outstanding", "principal")

    def __init__(
        self, loan_id: str, lender: int, lot: Lot, principal: int, opened: date, maturity: date
    ) -> None:
        super().__init__(lender, opened)
        self.loan_id = loan_id
        self.lot = lot
        self.principal = principal
        self.outstanding = principal
        self.maturity = maturity
        self.cure_by: date | None = None

    @property
    def ident(self) -> str:
        return self.loan_id

    @property
    def balance(self) -> int:
        return self.outstanding


class Lot:
    """Goods a seller holds in a warehouse; the pledged part (under a receipt) is not sold."""

    __slots__ = ("lot_id", "pledged", "quantity", "receipt_id", "sku", "unit_cost")

    def __init__(self, lot_id: str, sku: str, quantity: int, unit_cost: int) -> None:
        self.lot_id = lot_id
        self.sku = sku
        self.quantity = quantity
        self.unit_cost = unit_cost
        self.pledged = 0
        self.receipt_id: str | None = None

    @property
    def free(self) -> int:
        return max(0, self.quantity - self.pledged)


class Seller(Agent):
    """An SME exporter: trades, stocks goods, borrows, and may fail, default or defraud."""

    __slots__ = (
        "agenda",
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
        "expected_sales",
        "failure_date",
        "fixed_cost",
        "fraud",
        "fraud_from",
        "lender",
        "lines",
        "loans",
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
    )

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
        self.lender = lender
        self.carrier = carrier
        self.credit = credit
        self.credit_start = credit
        self.quality = quality
        self.quality_start = quality
        self.cash = cash
        self.fixed_cost = fixed_cost
        self.fraud = fraud
        self.fraud_from = 0  # the month a fraudster starts applying for credit
        self.status = "active"  # active | failed | defaulted | absconded
        self.buyers: list[int] = []
        self.skus: list[str] = []
        self.lines: list[CreditLine] = []
        self.loans: list[ReceiptLoan] = []
        self.lots: list[Lot] = []
        self.payouts: deque[int] = deque([0] * 6, maxlen=6)
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

    def facilities(self) -> list[Facility]:
        """Receipt loans first (their collateral is at stake), then credit lines."""
        return [*self.loans, *self.lines]

    def open_facilities(self) -> list[Facility]:
        return [f for f in self.facilities() if not f.closed]

    def debt(self) -> int:
        return sum(f.balance for f in self.open_facilities())

    def max_dpd(self, today: date) -> int:
        firsts = [f.first_missed for f in self.open_facilities()]
        missed = [day for day in firsts if day is not None]
        return max(((today - day).days for day in missed), default=0)
