"""Credit facilities and the goods behind them: lots, receipt loans, credit lines.

A facility is what a borrower owes one lender: its balance (interest included, as the
lender posts it), the instalment set on the last statement, and the unpaid amounts past
their due dates, oldest first, from which days past due are counted. The lender's view of
each is on the ledger; these records are the simulation's working copy of it.
"""

from __future__ import annotations

from datetime import date

from ledger.core.interest import due_since_start


class Facility:
    """Credit owed to a lender, with its overdue amounts oldest first."""

    __slots__ = (
        "application_id",
        "charges",
        "closed",
        "default_day",
        "default_reason",
        "ead",
        "frozen",
        "interest_posted",
        "lender",
        "next_due",
        "opened",
        "overdue",
        "period",
        "principal_moves",
        "rate_bp",
        "recovered",
    )

    def __init__(self, lender: int, opened: date, rate_bp: int, application_id: str) -> None:
        self.lender = lender
        self.opened = opened
        self.rate_bp = rate_bp  # annual, accrued daily ACT/365 on principal
        self.application_id = application_id
        self.overdue: list[tuple[date, int]] = []
        self.next_due: tuple[date, int] | None = None  # set by the statement
        self.closed = False
        self.frozen = False
        self.default_day: date | None = None
        self.default_reason = ""
        self.ead = 0
        self.recovered = 0
        # what the next statement reports: opening balance, interest, fees, payments
        self.period = [0, 0, 0, 0]
        # the ledger's buckets: principal by its dated changes, and fees + interest owed
        # (a payment clears those first, then principal, as the projectors apply it)
        self.charges = 0
        self.interest_posted = 0
        self.principal_moves: list[tuple[date, int]] = []

    @property
    def ident(self) -> str:
        raise NotImplementedError

    @property
    def kind(self) -> str:
        """The event-type prefix: ``loan`` or ``credit_line``."""
        raise NotImplementedError

    @property
    def key(self) -> str:
        """The payload field naming this facility: ``loan_id`` or ``line_id``."""
        raise NotImplementedError

    @property
    def balance(self) -> int:
        raise NotImplementedError

    def add_balance(self, amount: int) -> None:
        raise NotImplementedError

    @property
    def defaulted(self) -> bool:
        return self.default_day is not None

    @property
    def live(self) -> bool:
        """Open and not in default: the borrower still services it."""
        return not self.closed and self.default_day is None

    @property
    def arrears(self) -> int:
        return sum(amount for _, amount in self.overdue)

    @property
    def first_missed(self) -> date | None:
        return self.overdue[0][0] if self.overdue else None

    def fall_due(self, day: date, amount: int) -> None:
        if amount > 0:
            self.overdue.append((day, amount))

    def lend(self, day: date, amount: int) -> None:
        """Principal advanced on ``day`` (the date of the ledger event that advances it)."""
        self.principal_moves.append((day, amount))
        self.add_balance(amount)

    def charge(self, amount: int, *, interest: bool = False) -> None:
        """A fee or interest posted: owed, but earning no interest."""
        self.charges += amount
        self.interest_posted += amount if interest else 0
        self.add_balance(amount)

    def interest_due(self, end: date) -> int:
        """The interest to post now, for the days before ``end``: the ledger's own rule."""
        return due_since_start(self.principal_moves, end, self.rate_bp, self.interest_posted)

    def apply(self, amount: int, day: date) -> None:
        """Apply a payment dated ``day``: to fees and interest, then principal; and to the
        oldest overdue amounts first."""
        self.period[3] += amount
        self.add_balance(-amount)
        from_charges = min(amount, self.charges)
        self.charges -= from_charges
        if amount > from_charges:
            self.principal_moves.append((day, from_charges - amount))
        while amount > 0 and self.overdue:
            day, due = self.overdue[0]
            if amount >= due:
                amount -= due
                self.overdue.pop(0)
            else:
                self.overdue[0] = (day, due - amount)
                amount = 0


class CreditLine(Facility):
    """A revolving line from a lender: limit, drawn balance, expiry."""

    __slots__ = ("drawn", "drawn_total", "expires", "limit", "line_id")

    def __init__(
        self,
        line_id: str,
        lender: int,
        limit: int,
        opened: date,
        expires: date,
        rate_bp: int,
        application_id: str,
    ) -> None:
        super().__init__(lender, opened, rate_bp, application_id)
        self.line_id = line_id
        self.limit = limit
        self.expires = expires
        self.drawn = 0
        self.drawn_total = 0

    @property
    def ident(self) -> str:
        return self.line_id

    @property
    def kind(self) -> str:
        return "credit_line"

    @property
    def key(self) -> str:
        return "line_id"

    @property
    def balance(self) -> int:
        return self.drawn

    def add_balance(self, amount: int) -> None:
        self.drawn += amount

    def available(self, today: date) -> int:
        if not self.live or self.frozen or self.overdue or today >= self.expires:
            return 0
        return max(0, self.limit - self.drawn)


class Lot:
    """Goods a seller holds in a warehouse; the pledged part (under a receipt) is not sold."""

    __slots__ = ("lot_id", "pledged", "quantity", "receipt_id", "sku", "unit_cost", "unit_value")

    def __init__(self, lot_id: str, sku: str, quantity: int, unit_cost: int) -> None:
        self.lot_id = lot_id
        self.sku = sku
        self.quantity = quantity
        self.unit_cost = unit_cost
        self.pledged = 0
        self.receipt_id: str | None = None
        self.unit_value = 0  # the receipt's unit value, set when a receipt is issued

    @property
    def free(self) -> int:
        return max(0, self.quantity - self.pledged)


class ReceiptLoan(Facility):
    """A loan against a pledged warehouse receipt: one lot, one lender, amortising."""

    __slots__ = ("cure_by", "loan_id", "lot", "maturity", "outstanding", "principal")

    def __init__(
        self,
        loan_id: str,
        lender: int,
        lot: Lot,
        principal: int,
        opened: date,
        maturity: date,
        rate_bp: int,
        application_id: str,
    ) -> None:
        super().__init__(lender, opened, rate_bp, application_id)
        self.loan_id = loan_id
        self.lot = lot
        self.principal = principal
        self.outstanding = 0  # until it is lent (``lend``, on the disbursement's date)
        self.maturity = maturity
        self.cure_by: date | None = None

    @property
    def ident(self) -> str:
        return self.loan_id

    @property
    def kind(self) -> str:
        return "loan"

    @property
    def key(self) -> str:
        return "loan_id"

    @property
    def balance(self) -> int:
        return self.outstanding

    def add_balance(self, amount: int) -> None:
        self.outstanding += amount
