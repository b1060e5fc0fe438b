"""The ``anchors`` table behind a few narrow functions; callers own the transaction.

Rows are read back as frozen :class:`AnchorRow` values. A row is the record of one
transaction (its hash is unique). Only ``status``, the block columns and ``confirmed_at``
ever change: pending -> confirmed or orphaned, and back to pending when the very same
transaction is seen again (its block dropped while the node still holds it, or it landed
after all). Nothing is deleted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, insert, or_, select, update

from ledger.anchoring.tables import Anchor
from ledger.core.errors import LedgerError


class AnchorStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    ORPHANED = "orphaned"


def ledger_id_for(origin: str) -> bytes:
    """The bytes32 a ledger is known by on chain: SHA-256 of its origin line."""
    return hashlib.sha256(origin.encode("utf-8")).digest()


@dataclass(frozen=True, slots=True)
class AnchorRow:
    id: int
    ledger_id: bytes
    tree_size: int
    root_hash: bytes
    chain_id: int
    contract: str
    tx_hash: bytes
    nonce: int
    block_number: int | None
    block_hash: bytes | None
    status: AnchorStatus
    created_at: datetime
    confirmed_at: datetime | None
    # Not in bundles (an operator's detail, not evidence), so not in comparisons either.
    sender: str | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The bundle's ``anchor`` line (hashes in hex, times in ISO 8601)."""
        return {
            "kind": "anchor",
            "ledger_id": self.ledger_id.hex(),
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "chain_id": self.chain_id,
            "contract": self.contract,
            "tx_hash": self.tx_hash.hex(),
            "nonce": self.nonce,
            "block_number": self.block_number,
            "block_hash": None if self.block_hash is None else self.block_hash.hex(),
            "status": self.status.value,
            "created_at": self.created_at.isoformat(),
            "confirmed_at": None if self.confirmed_at is None else self.confirmed_at.isoformat(),
        }


class MalformedAnchorLine(LedgerError):
    """A bundle's anchor line is not one :meth:`AnchorRow.to_json` could have written."""

    code = "malformed_anchor_line"
    status = 422


def anchor_from_json(line: Mapping[str, Any]) -> AnchorRow:
    """Reads a bundle ``anchor`` line back; anything malformed is MalformedAnchorLine."""

    def hex32(name: str) -> bytes:
        value = bytes.fromhex(str(line[name]))
        if len(value) != 32:
            raise ValueError(f"{name} is not 32 bytes")
        return value

    def when(name: str) -> datetime | None:
        value = line[name]
        return None if value is None else datetime.fromisoformat(str(value))

    try:
        if line.get("kind") != "anchor":
            raise ValueError("not an anchor line")
        created_at = when("created_at")
        if created_at is None:
            raise ValueError("created_at is missing")
        return AnchorRow(
            id=0,
            ledger_id=hex32("ledger_id"),
            tree_size=_int(line["tree_size"]),
            root_hash=hex32("root_hash"),
            chain_id=_int(line["chain_id"]),
            contract=str(line["contract"]),
            tx_hash=hex32("tx_hash"),
            nonce=_int(line["nonce"]),
            block_number=None if line["block_number"] is None else _int(line["block_number"]),
            block_hash=None if line["block_hash"] is None else hex32("block_hash"),
            status=AnchorStatus(line["status"]),
            created_at=created_at,
            confirmed_at=when("confirmed_at"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedAnchorLine(f"bad anchor line: {exc}", field="anchor") from None


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{value!r} is not an integer")
    return value


def _row(raw: Any) -> AnchorRow:
    return AnchorRow(
        id=raw.id,
        ledger_id=bytes(raw.ledger_id),
        tree_size=int(raw.tree_size),
        root_hash=bytes(raw.root_hash),
        chain_id=int(raw.chain_id),
        contract=raw.contract,
        tx_hash=bytes(raw.tx_hash),
        nonce=int(raw.nonce),
        block_number=raw.block_number,
        block_hash=None if raw.block_hash is None else bytes(raw.block_hash),
        status=AnchorStatus(raw.status),
        created_at=raw.created_at,
        confirmed_at=raw.confirmed_at,
        sender=raw.sender,
    )


def _sent_by(sender: str) -> ColumnElement[bool]:
    """Rows ``sender`` sent; rows from before senders were recorded count as anyone's."""
    return or_(Anchor.sender == sender, Anchor.sender.is_(None))


def all_anchors(connection: Connection) -> list[AnchorRow]:
    """Every anchor row, oldest first."""
    table = Anchor.__table__
    return [_row(r) for r in connection.execute(select(table).order_by(Anchor.id))]


def anchors_page(connection: Connection, *, after: int | None, limit: int) -> list[AnchorRow]:
    """Up to ``limit`` rows with an id above ``after`` (the last id of the previous page)."""
    query = select(Anchor.__table__).order_by(Anchor.id).limit(limit)
    if after is not None:
        query = query.where(Anchor.id > after)
    return [_row(r) for r in connection.execute(query)]


def anchor_by_tx(connection: Connection, tx_hash: bytes) -> AnchorRow | None:
    """The row of one transaction, if it is on record."""
    raw = connection.execute(select(Anchor.__table__).where(Anchor.tx_hash == tx_hash)).first()
    return None if raw is None else _row(raw)


def tx_hashes_at_nonce(connection: Connection, nonce: int, sender: str) -> frozenset[bytes]:
    """``sender``'s transactions on record with ``nonce``: ones a new send must not repeat."""
    query = select(Anchor.tx_hash).where(Anchor.nonce == nonce, _sent_by(sender))
    return frozenset(bytes(v) for v in connection.execute(query).scalars())


def live_anchors(connection: Connection) -> list[AnchorRow]:
    """Pending and confirmed rows (the ones a reorganisation can still drop)."""
    table = Anchor.__table__
    query = select(table).where(Anchor.status != AnchorStatus.ORPHANED.value).order_by(Anchor.id)
    return [_row(r) for r in connection.execute(query)]


def highest_live_size(connection: Connection, contract: str | None = None) -> int:
    """The largest tree size anchored or being anchored (0 if none), on ``contract`` if given."""
    query = select(func.max(Anchor.tree_size)).where(Anchor.status != AnchorStatus.ORPHANED.value)
    if contract is not None:
        query = query.where(Anchor.contract == contract)
    value = connection.execute(query).scalar_one_or_none()
    return int(value or 0)


def highest_pending_nonce(connection: Connection, sender: str) -> int | None:
    """The highest nonce of ``sender``'s anchors in flight (None if it has none).

    Another account's pending anchors say nothing of this one's nonces: counting them made
    a new anchorer skip ahead to the old one's next nonce and wait there for good.
    """
    value = connection.execute(
        select(func.max(Anchor.nonce)).where(
            Anchor.status == AnchorStatus.PENDING.value, _sent_by(sender)
        )
    ).scalar_one_or_none()
    return None if value is None else int(value)


def add_pending(
    connection: Connection,
    *,
    ledger_id: bytes,
    tree_size: int,
    root_hash: bytes,
    chain_id: int,
    contract: str,
    tx_hash: bytes,
    nonce: int,
    created_at: datetime,
    sender: str,
) -> None:
    connection.execute(
        insert(Anchor).values(
            ledger_id=ledger_id,
            tree_size=tree_size,
            root_hash=root_hash,
            chain_id=chain_id,
            contract=contract,
            sender=sender,
            tx_hash=tx_hash,
            nonce=nonce,
            block_number=None,
            block_hash=None,
            status=AnchorStatus.PENDING.value,
            created_at=created_at,
            confirmed_at=None,
        )
    )


def set_block(connection: Connection, row_id: int, block_number: int, block_hash: bytes) -> None:
    """Records where a pending anchor was mined (it may move if re-mined elsewhere)."""
    connection.execute(
        update(Anchor)
        .where(Anchor.id == row_id)
        .values(block_number=block_number, block_hash=block_hash)
    )


def confirm(connection: Connection, row_id: int, at: datetime) -> None:
    connection.execute(
        update(Anchor)
        .where(Anchor.id == row_id)
        .values(status=AnchorStatus.CONFIRMED.value, confirmed_at=at)
    )


def track_again(connection: Connection, row_id: int) -> None:
    """Back to pending, not yet mined: the row's own transaction is in play again."""
    connection.execute(
        update(Anchor)
        .where(Anchor.id == row_id)
        .values(
            status=AnchorStatus.PENDING.value,
            block_number=None,
            block_hash=None,
            confirmed_at=None,
        )
    )


def orphan(connection: Connection, row_id: int) -> None:
    connection.execute(
        update(Anchor).where(Anchor.id == row_id).values(status=AnchorStatus.ORPHANED.value)
    )


def bundle_lines(connection: Connection) -> list[dict[str, Any]]:
    """The ``anchor`` lines of an export bundle, in the snapshot being exported."""
    return [anchor.to_json() for anchor in all_anchors(connection)]
