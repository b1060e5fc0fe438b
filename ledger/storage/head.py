"""The head row: the sequencer's lock and the tip of the chain, and the tip in memory.

``ledger_head`` is the one mutable row of the log. Every append locks it (``BEGIN
IMMEDIATE`` on SQLite, ``SELECT ... FOR UPDATE`` on PostgreSQL), so two writers can never
read the same tip; it is updated in the same transaction as the entries it covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from ledger.core.errors import LedgerError
from ledger.core.hashing import GENESIS_CHAIN
from ledger.core.merkle.append import Frontier
from ledger.storage.models import Entry, LedgerHead
from ledger.storage.nodes import SqlNodeReader


@dataclass(frozen=True, slots=True)
class Head:
    tree_size: int
    chain_hash: bytes


_HEAD = select(LedgerHead.tree_size, LedgerHead.chain_hash).where(LedgerHead.id == 1)
_HEAD_FOR_UPDATE = _HEAD.with_for_update()  # built once: every unit of work takes the lock


def lock_head(connection: Connection) -> Head:
    """Take the sequencer lock (SQLite already holds it from BEGIN IMMEDIATE)."""
    stmt = _HEAD if connection.dialect.name == "sqlite" else _HEAD_FOR_UPDATE
    row = connection.execute(stmt).one_or_none()
    if row is None:
        raise LedgerError("the ledger is not initialised")
    return Head(row.tree_size, row.chain_hash)


@dataclass(slots=True)
class Tip:
    """Where the log stands inside a transaction: size, chain hash, Merkle frontier."""

    tree_size: int
    chain_hash: bytes
    frontier: Frontier
    recorded_at: datetime | None  # of the last entry: recording times never go back


def load_tip(connection: Connection, head: Head, cached: Tip | None) -> Tip:
    """The tip at ``head``: the cached one if nobody wrote since, else read from storage."""
    if cached is not None and (cached.tree_size, cached.chain_hash) == (
        head.tree_size,
        head.chain_hash,
    ):
        return Tip(cached.tree_size, cached.chain_hash, cached.frontier.copy(), cached.recorded_at)
    last = connection.execute(
        select(Entry.recorded_at).where(Entry.seq == head.tree_size - 1)
    ).scalar_one_or_none()
    return Tip(
        head.tree_size,
        head.chain_hash,
        Frontier.load(head.tree_size, SqlNodeReader(connection)),
        last,
    )


def read_head(engine: Engine) -> Any:
    """The head row (origin, public key, size, chain hash), or None for an empty database."""
    with engine.connect() as connection:
        return connection.execute(select(LedgerHead.__table__).where(LedgerHead.id == 1)).first()


def create_head(engine: Engine, origin: str, public_key: bytes) -> bool:
    """Write the head of a new ledger; False when another process created it first."""
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(LedgerHead).values(
                    id=1,
                    origin=origin,
                    public_key=public_key,
                    tree_size=0,
                    chain_hash=GENESIS_CHAIN,
                )
            )
    except IntegrityError:
        return False
    return True
