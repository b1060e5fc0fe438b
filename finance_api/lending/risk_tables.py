"""State of the ``lending.risk`` projection besides its alerts: each exposure of a lender's
book (a credit line or a receipt loan, with what it is tied to), the concentration flags,
and the borrowers' registered countries.

The projection reads the other projections' tables only by entry (rows keyed by ``seq``,
never updated), or their columns that never change; what it needs to remember between
entries it keeps here, so a replay of the log gives the same rows in any batching.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ledger.storage.models import Base


class RiskExposureRow(Base):
    """What one line or loan owes its lender now, and to whom, where and on what it rests."""

    __tablename__ = "lending_risk_exposures"
    __table_args__ = (Index("ix_lending_risk_exposures_lender", "lender", "currency"),)

    source: Mapped[str] = mapped_column(String(210), primary_key=True)  # line:ID | loan:ID
    lender: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    debtor: Mapped[str] = mapped_column(String(200))
    commodity: Mapped[str | None] = mapped_column(String(200))
    warehouses: Mapped[dict[str, Any]] = mapped_column(JSON)  # warehouse -> pledged milli
    amount_minor: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    days_past_due: Mapped[int] = mapped_column(Integer)


class RiskFlagRow(Base):
    """A share of a lender's book (in one currency) over the concentration threshold now."""

    __tablename__ = "lending_risk_flags"

    lender: Mapped[str] = mapped_column(String(200), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)


class RiskCountryRow(Base):
    """A participant's registered country, from ``participant.registered``."""

    __tablename__ = "lending_risk_countries"

    participant: Mapped[str] = mapped_column(String(200), primary_key=True)
    country: Mapped[str | None] = mapped_column(String(2))
