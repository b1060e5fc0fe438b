"""Where money paid on a loan goes: fees, then interest, then principal, then the borrower.

A repayment may not exceed what is owed (the caller refuses it); a liquidation's proceeds
may, and the rest is the borrower's surplus. Whatever is not covered stays owed: after a
sale of all the collateral it is unsecured debt. Every allocation sums to the amount paid,
so money is neither created nor lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from finance_api.domain.errors import InvalidAmount


@dataclass(frozen=True, slots=True)
class Owed:
    """What a borrower owes on a loan, by bucket, in minor units."""

    fees: int = 0
    interest: int = 0
    principal: int = 0

    @property
    def total(self) -> int:
        return self.fees + self.interest + self.principal


@dataclass(frozen=True, slots=True)
class Allocation:
    fees: int
    interest: int
    principal: int
    surplus: int

    @property
    def applied(self) -> int:
        return self.fees + self.interest + self.principal


def allocate(owed: Owed, amount: int) -> tuple[Owed, Allocation]:
    """Apply ``amount`` fees -> interest -> principal; return what is left owed and how."""
    if amount < 0:
        raise InvalidAmount("an amount paid cannot be negative", field="amount")
    fees = min(owed.fees, amount)
    interest = min(owed.interest, amount - fees)
    principal = min(owed.principal, amount - fees - interest)
    surplus = amount - fees - interest - principal
    left = Owed(owed.fees - fees, owed.interest - interest, owed.principal - principal)
    return left, Allocation(fees, interest, principal, surplus)
