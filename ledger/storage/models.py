"""Tables of the ledger.

Append-only tables (entries, entry_refs, merkle_nodes, checkpoints) have no update or delete
path anywhere in the code. The one mutable row is ``ledger_head``: it is the sequencer's
lock and the tip of the chain, updated in the same transaction as the entries it covers.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite has no BIGINT autoincrement quirks to worry about here (we assign seq ourselves),
# but PostgreSQL needs 64-bit columns for ledgers past two billion entries.
Seq = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every backend (SQLite would hand back naive datetimes)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class LedgerHead(Base):
    """The tip: size and last chain hash. Locked by every append (the sequencer)."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    tree_size: Mapped[int] = mapped_column(Seq)
    chain_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class Participant(Base):
    __tablename__ = "participants"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(500))
    roles: Mapped[list[str]] = mapped_column(JSON)
    country: Mapped[str | None] = mapped_column(String(2))
    registered_seq: Mapped[int] = mapped_column(Seq)
    gs1_prefixes: Mapped[list[str] | None] = mapped_column(JSON)


class ParticipantKey(Base):
    """A participant's Ed25519 key and the window in which it may sign."""

    __tablename__ = "participant_keys"

    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    added_seq: Mapped[int] = mapped_column(Seq)


class ApiKey(Base):
    """An API key, stored only as its SHA-256; the secret is shown once at creation.

    ``key_id`` (the first 8 bytes of the hash, in hex) names the key in lists and
    revocations without revealing it. ``roles`` limits the key to some of its holder's
    roles (all of them when null); past ``expires_at`` or once revoked it opens nothing.
    """

    __tablename__ = "api_keys"

    key_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    key_id: Mapped[str | None] = mapped_column(String(16), unique=True, index=True)
    roles: Mapped[list[str] | None] = mapped_column(JSON)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Entry(Base):
    """One signed event at its place in the log."""

    __tablename__ = "entries"

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    flow: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    canonical: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    chain_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    # 1: leaf over canonical || signature; 2: the recording time under the leaf too.
    format: Mapped[int] = mapped_column(SmallInteger, server_default="1")

    __table_args__ = (
        Index("ix_entries_flow_seq", "flow", "seq"),
        Index("ix_entries_type_seq", "type", "seq"),
        Index("ix_entries_occurred_seq", "occurred_at", "seq"),
    )


class EntryRef(Base):
    """Who and what an entry mentions: its actor and each subject (participant or item)."""

    __tablename__ = "entry_refs"

    ref: Mapped[str] = mapped_column(String(200), primary_key=True)
    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(8), primary_key=True)


class MerkleNode(Base):
    """A complete subtree hash (level >= 1) so proofs cost O(log n) reads."""

    __tablename__ = "merkle_nodes"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class Checkpoint(Base):
    """A signed tree head in C2SP signed-note form."""

    __tablename__ = "checkpoints"

    tree_size: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    timestamp: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text)


class ProjectionState(Base):
    """A projection this ledger is kept with, and the version of its rules it was built by."""

    __tablename__ = "projections"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
