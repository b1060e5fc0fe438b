"""Tables of the risk monitor: alerts, concentration flags, and the webhook side: each
lender's endpoint and the delivery state of each alert.

Alerts (three tables: the credit-line, scores and risk projections') and flags
are derived from the log (rebuilt and compared on verification). Webhooks and deliveries
are operational: a lender's subscription and what was sent to it, never derived. Together
they are the outbox: an alert is written in the append's transaction, and it is owed to
its lender's webhook until a delivery row says it arrived."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Subquery, Text, select, union_all
from sqlalchemy.orm import Mapped, mapped_column

from ledger.storage.models import Base, Seq, UTCDateTime


class _Alert:
    """The columns every alert table has: raised by the entry ``seq`` about ``subject``."""

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    lender: Mapped[str] = mapped_column(String(200))
    borrower: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AlertRow(_Alert, Base):
    """An alert about a line or (concentration) a borrower: the credit-line projection's."""

    __tablename__ = "lending_alerts"
    __table_args__ = (Index("ix_lending_alerts_lender_seq", "lender", "seq"),)


class ScoreAlertRow(_Alert, Base):
    """A score drop of a borrower shown to a lender: the scores projection's."""

    __tablename__ = "lending_score_alerts"
    __table_args__ = (Index("ix_lending_score_alerts_lender_seq", "lender", "seq"),)


class RiskAlertRow(_Alert, Base):
    """An alert about a receipt loan (LTV band, days past due), a stock reconciliation
    failure, or the concentration of a lender's whole book: the ``lending.risk``
    projection's (its kinds never meet those of the other tables on one entry)."""

    __tablename__ = "lending_risk_alerts"
    __table_args__ = (Index("ix_lending_risk_alerts_lender_seq", "lender", "seq"),)


def every_alert() -> Subquery:
    """The alert tables as one (their keys never collide: an entry's alerts of one kind
    come from one table)."""
    names = ("seq", "kind", "subject", "lender", "borrower", "severity", "detail", "occurred_at")
    tables = (AlertRow, ScoreAlertRow, RiskAlertRow)
    parts = [select(*(getattr(t, n) for n in names)) for t in tables]
    return union_all(*parts).subquery("alerts")


class ConcentrationFlag(Base):
    """A borrower whose share of a lender's book is over the threshold now."""

    __tablename__ = "lending_concentration_flags"

    lender: Mapped[str] = mapped_column(String(200), primary_key=True)
    borrower: Mapped[str] = mapped_column(String(200), primary_key=True)


class Webhook(Base):
    """A lender's webhook: where its alerts go, the HMAC key, and from which entry on."""

    __tablename__ = "lending_webhooks"

    lender: Mapped[str] = mapped_column(String(200), primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(128))
    from_seq: Mapped[int] = mapped_column(Seq)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Delivery(Base):
    """Delivery state of one alert to its lender's webhook: attempts, next try, success."""

    __tablename__ = "lending_deliveries"

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    lender: Mapped[str] = mapped_column(String(200), index=True)
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
