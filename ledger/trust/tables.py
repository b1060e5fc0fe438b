"""Tables of the trust projections: claims and their parties, consents, and the access log.

Claims and consents are projections (rebuilt from the log, compared on verification). The
access log is operational: who read whose data when, append-only, never derived.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ledger.storage.models import Base, Seq, UTCDateTime


class Claim(Base):
    """An entry whose type needs the confirmation of parties other than its actor."""

    __tablename__ = "claims"

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    flow: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending|confirmed|rejected


class ClaimParty(Base):
    """One party a claim binds, and its answer (the entry that confirmed or rejected it)."""

    __tablename__ = "claim_parties"

    claim_seq: Mapped[int] = mapped_column(
        ForeignKey("claims.seq"), primary_key=True, autoincrement=False
    )
    party: Mapped[str] = mapped_column(String(200), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    answered_seq: Mapped[int | None] = mapped_column(Seq)

    __table_args__ = (Index("ix_claim_parties_party_status", "party", "status"),)


class Consent(Base):
    """A subject's consent to one grantee (a lender, a supplier): what it may read, until when."""

    __tablename__ = "consents"

    consent_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    grantee: Mapped[str] = mapped_column(String(200))
    scope: Mapped[list[str]] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    granted_seq: Mapped[int] = mapped_column(Seq)
    revoked_seq: Mapped[int | None] = mapped_column(Seq)

    __table_args__ = (Index("ix_consents_grantee_subject", "grantee", "subject"),)


class AccessRecord(Base):
    """One read by a lender of another participant's data (who, whose, what, when)."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reader: Mapped[str] = mapped_column(String(200), index=True)
    subject: Mapped[str] = mapped_column(String(200), index=True)
    resource: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(String(1000))
    consent_id: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
