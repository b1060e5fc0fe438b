"""Tables of the ``lending.fraud`` projection: counted logins, devices seen per account, and
applications, so a fraud score is computed at application time with a few reads.

Created by migration ``0013_lending_fraud``; only :mod:`.fraud_projector` writes them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ledger.storage.models import Base, Seq, UTCDateTime


class LoginCountRow(Base):
    """How many of an account's logins showed one combination of the signals."""

    __tablename__ = "lending_fraud_logins"

    account: Mapped[str] = mapped_column(String(200), primary_key=True)
    ip_country: Mapped[str] = mapped_column(String(2), primary_key=True)
    billing_country: Mapped[str] = mapped_column(String(2), primary_key=True)
    utc_offset: Mapped[int] = mapped_column(Integer, primary_key=True)
    proxy: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class DeviceSeen(Base):
    __tablename__ = "lending_fraud_devices"

    device: Mapped[str] = mapped_column(String(200), primary_key=True)
    account: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)


class ApplicationSeen(Base):
    __tablename__ = "lending_fraud_applications"

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    applicant: Mapped[str] = mapped_column(String(200), index=True)
    lender: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
