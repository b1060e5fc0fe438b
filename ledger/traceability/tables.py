"""The EPCIS index tables: the traceability projection of ``epcis.captured`` entries.

They share the ledger's metadata (one schema, one Alembic history) but belong to this
feature: only :mod:`ledger.traceability.projection` writes them, inside the append's
transaction, and ``threeflow rebuild traceability.epcis_index`` recomputes them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledger.storage.models import Base, Seq, UTCDateTime


class EpcisEventRow(Base):
    """The EPCIS index of one ``epcis.captured`` entry: its hash ID and what queries filter on.

    Derived from the ledger (``threeflow epcis reindex`` rebuilds it). ``(hash_id,
    declaration_key)`` is unique, which is how a second capture of an event is recognised
    (the key tells apart an event, ``""``, from each distinct declaration of it).
    """

    __tablename__ = "epcis_events"

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    hash_id: Mapped[str] = mapped_column(String(120))
    error_declaration: Mapped[bool] = mapped_column(Boolean)
    declaration_key: Mapped[str] = mapped_column(String(32), default="")
    hash_algorithm: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str | None] = mapped_column(String(1000), index=True)
    event_type: Mapped[str] = mapped_column(String(40))
    event_time: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    biz_step: Mapped[str | None] = mapped_column(String(1000), index=True)
    disposition: Mapped[str | None] = mapped_column(String(1000), index=True)
    read_point: Mapped[str | None] = mapped_column(String(1000), index=True)
    biz_location: Mapped[str | None] = mapped_column(String(1000), index=True)
    declared_event_id: Mapped[str | None] = mapped_column(String(1000), index=True)
    captured_by: Mapped[str] = mapped_column(String(200))

    # An error declaration hashes like the event it voids (CBV ignores errorDeclaration).
    __table_args__ = (UniqueConstraint("hash_id", "declaration_key"),)


class EpcisItem(Base):
    """Which identifiers an EPCIS entry names, and in which role (epc, parent, input, bt...)."""

    __tablename__ = "epcis_items"

    item: Mapped[str] = mapped_column(String(1000), primary_key=True)
    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class EpcisLink(Base):
    """An item link in flow direction: child -> parent, input -> output, item -> transaction."""

    __tablename__ = "epcis_links"

    from_item: Mapped[str] = mapped_column(String(1000), primary_key=True)
    to_item: Mapped[str] = mapped_column(String(1000), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)

    __table_args__ = (Index("ix_epcis_links_to_item_seq", "to_item", "seq"),)
