"""Tables of automatic decisions: the ``lending.decisions`` projection and lenders' policies.

``lending_applications`` and ``lending_decisions`` are the projection of ``credit.application``
and ``credit.decision`` entries (only :mod:`.decision_projector` writes them), so an
application is found by its id with its decisions and overrides in one read.
``lending_decision_policies`` is a lender's own setting (its cut-off, referral band and limit
formula), written by the policy route like a webhook subscription: a setting, not an act, so
not on the ledger; each decision records the thresholds it applied in its rules.
Created by migration ``0018_decisions``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from ledger.storage.models import Base, Seq, UTCDateTime

_ID = String(200)


class ApplicationRow(Base):
    __tablename__ = "lending_applications"

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(36))
    application_id: Mapped[str] = mapped_column(_ID, index=True)
    applicant: Mapped[str] = mapped_column(_ID)
    lender: Mapped[str] = mapped_column(_ID)
    product: Mapped[str] = mapped_column(String(32))
    requested_minor: Mapped[int] = mapped_column(Seq)
    currency: Mapped[str] = mapped_column(String(3))
    receipt_id: Mapped[str | None] = mapped_column(_ID)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DecisionRow(Base):
    __tablename__ = "lending_decisions"

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    application_id: Mapped[str] = mapped_column(_ID, index=True)
    lender: Mapped[str] = mapped_column(_ID)
    decision: Mapped[str] = mapped_column(String(16))
    limit_minor: Mapped[int | None] = mapped_column(Seq)
    automatic: Mapped[bool] = mapped_column(Boolean)  # recorded with the rules that decided
    override_of: Mapped[str | None] = mapped_column(String(36))


class DecisionPolicyRow(Base):
    __tablename__ = "lending_decision_policies"

    lender: Mapped[str] = mapped_column(_ID, primary_key=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
