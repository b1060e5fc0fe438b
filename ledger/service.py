"""The ledger's front door: open a store, register participants, append, checkpoint, prove.

One :class:`Ledger` per process and database. It owns the engines, the signature-checking
threads and the ledger key; HTTP handlers, the CLI and the simulation all go through it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from ledger import keyfile
from ledger.core.canonical import canonicalize
from ledger.core.checkpoint import Checkpoint, SignedCheckpoint
from ledger.core.clock import Clock, SystemClock
from ledger.core.entry import LedgerEntry
from ledger.core.errors import InvalidEvent, LedgerError, NotFound
from ledger.core.event_types import REGISTRY, EventTypeRegistry
from ledger.core.events import Event, format_timestamp
from ledger.core.hashing import GENESIS_CHAIN
from ledger.core.keybook import OPERATOR, Registration
from ledger.core.keys import SigningKey, key_id_for
from ledger.core.merkle.nodes import NodeId
from ledger.core.merkle.proof import (
    consistency_plan,
    consistency_proof,
    inclusion_plan,
    inclusion_proof,
    root_at,
    root_plan,
)
from ledger.storage import models
from ledger.storage.appender import MAX_BATCH, Appender, lock_head
from ledger.storage.db import Engines, make_engines, migrate
from ledger.storage.nodes import PrefetchedNodes, SqlNodeReader
from ledger.storage.query import EntryQuery, Page


@dataclass(frozen=True, slots=True)
class CheckpointPolicy:
    every_entries: int = 1000
    every_seconds: float = 60.0


@dataclass(frozen=True, slots=True)
class InclusionProof:
    leaf_index: int
    tree_size: int
    leaf_hash: bytes
    audit_path: list[bytes]
    root_hash: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "leaf_hash": self.leaf_hash.hex(),
            "audit_path": [h.hex() for h in self.audit_path],
            "root_hash": self.root_hash.hex(),
        }


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    first: int
    second: int
    first_root: bytes
    second_root: bytes
    proof: list[bytes]

    def to_json(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "second": self.second,
            "first_root": self.first_root.hex(),
            "second_root": self.second_root.hex(),
            "proof": [h.hex() for h in self.proof],
        }


_OPERATOR_IDS = uuid.UUID("3c1f6d2a-8e0b-5f47-9a1c-2d4e6b8f0a13")


def default_origin(public_key: bytes) -> str:
    return f"threeflow.ledger/{key_id_for(public_key)}"


class Ledger:
    """A ledger in one database."""

    def __init__(
        self,
        engines: Engines,
        *,
        ledger_key: SigningKey | None,
        clock: Clock | None = None,
        registry: EventTypeRegistry = REGISTRY,
        policy: CheckpointPolicy | None = None,
        origin: str | None = None,
        signature_threads: int = 2,
    ) -> None:
        self.engines = engines
        self.clock: Clock = clock or SystemClock()
        self.registry = registry
        self.policy = policy or CheckpointPolicy()
        self._key = ledger_key
        self._pool = ThreadPoolExecutor(signature_threads) if signature_threads > 1 else None
        head = self._head_row()
        if head is None:
            if ledger_key is None:
                raise LedgerError("an empty ledger needs the ledger key to be initialised")
            self._initialise(ledger_key, origin or default_origin(ledger_key.public_key))
            head = self._head_row()
            assert head is not None
        if ledger_key is not None and ledger_key.public_key != head.public_key:
            raise LedgerError("the ledger key given is not the key this ledger was created with")
        self.origin: str = head.origin
        self.public_key: bytes = head.public_key
        self._appender = Appender(engines, registry, self.public_key, self._pool)

    # -- opening -----------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        url: str,
        *,
        ledger_key: SigningKey | None = None,
        key_file: Path | None = None,
        clock: Clock | None = None,
        policy: CheckpointPolicy | None = None,
        origin: str | None = None,
        read_only: bool = False,
        signature_threads: int = 2,
    ) -> Ledger:
        """Open (and migrate, and on first use initialise) the ledger at ``url``.

        Without ``ledger_key``, the key is read from ``key_file`` (created if missing),
        unless ``read_only``: readers and verifiers never need the private key.
        """
        engines = make_engines(url)
        migrate(engines)
        if ledger_key is None and not read_only:
            ledger_key = keyfile.load_or_create(key_file or Path("var/ledger.key"))
        return cls(
            engines,
            ledger_key=ledger_key,
            clock=clock,
            policy=policy,
            origin=origin,
            signature_threads=signature_threads,
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)
        self.engines.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _head_row(self) -> Any:
        with self.engines.read.connect() as connection:
            return connection.execute(
                select(models.LedgerHead.__table__).where(models.LedgerHead.id == 1)
            ).first()

    def _initialise(self, key: SigningKey, origin: str) -> None:
        self.origin = origin
        try:
            with self.engines.write.begin() as connection:
                connection.execute(
                    insert(models.LedgerHead).values(
                        id=1,
                        origin=origin,
                        public_key=key.public_key,
                        tree_size=0,
                        chain_hash=GENESIS_CHAIN,
                    )
                )
        except IntegrityError:
            return  # another process initialised it first
        self._appender = Appender(self.engines, self.registry, key.public_key, None)
        now = self.clock.now()
        self._write(
            self._registry_events(
                OPERATOR, "ledger operator", ["operator"], None, key.public_key, now, None
            ),
            now,
        )

    # -- the signing key ---------------------------------------------------------------
    @property
    def key(self) -> SigningKey:
        if self._key is None:
            raise LedgerError("this ledger was opened without its signing key")
        return self._key

    def _operator_event(
        self, etype: str, payload: dict[str, Any], at: datetime, subjects: list[str]
    ) -> Event:
        # The id is derived from what the entry says and when, not drawn at random, so a
        # replay of the same registrations with the same clock writes the same bytes.
        seed = canonicalize({"origin": self.origin, "type": etype, "payload": payload,
                             "at": format_timestamp(at)})  # fmt: skip
        return Event.create(
            self.key,
            flow="information",
            type=etype,
            actor=OPERATOR,
            payload=payload,
            occurred_at=at,
            subjects=subjects,
            event_id=str(uuid.uuid5(_OPERATOR_IDS, seed.decode())),
        )

    def _registry_events(
        self,
        participant_id: str,
        legal_name: str,
        roles: list[str],
        country: str | None,
        public_key: bytes,
        valid_from: datetime,
        valid_until: datetime | None,
    ) -> list[Event]:
        now = self.clock.now()
        registered: dict[str, Any] = {
            "participant_id": participant_id,
            "legal_name": legal_name,
            "roles": roles,
        }
        if country is not None:
            registered["country"] = country
        return [
            self._operator_event("participant.registered", registered, now, [participant_id]),
            self._key_added(participant_id, public_key, valid_from, valid_until, now),
        ]

    def _key_added(
        self,
        participant_id: str,
        public_key: bytes,
        valid_from: datetime,
        valid_until: datetime | None,
        now: datetime,
    ) -> Event:
        payload: dict[str, Any] = {
            "participant_id": participant_id,
            "key_id": key_id_for(public_key),
            "public_key": public_key.hex(),
            "valid_from": format_timestamp(valid_from),
        }
        if valid_until is not None:
            payload["valid_until"] = format_timestamp(valid_until)
        return self._operator_event("participant.key_added", payload, now, [participant_id])

    # -- registry ----------------------------------------------------------------------
    def register_participant(
        self,
        participant_id: str,
        legal_name: str,
        roles: list[str],
        country: str | None,
        public_key: bytes,
        valid_from: datetime,
        valid_until: datetime | None = None,
    ) -> list[LedgerEntry]:
        """Register a participant and its first key, as two operator-signed entries."""
        events = self._registry_events(
            participant_id, legal_name, roles, country, public_key, valid_from, valid_until
        )
        return self._append(events, operator=True)

    def register_participants(self, registrations: Sequence[Registration]) -> list[LedgerEntry]:
        """Register many participants in one atomic batch (two entries each).

        One transaction instead of one per participant: a simulation or a migration from
        another platform registers thousands at a time.
        """
        if len(registrations) * 2 > MAX_BATCH:
            raise InvalidEvent(
                f"at most {MAX_BATCH // 2} participants per call", field="registrations"
            )
        events = [
            event
            for r in registrations
            for event in self._registry_events(
                r.participant_id,
                r.legal_name,
                list(r.roles),
                r.country,
                r.public_key,
                r.valid_from,
                r.valid_until,
            )
        ]
        return self._append(events, operator=True)

    def add_key(
        self,
        participant_id: str,
        public_key: bytes,
        valid_from: datetime,
        valid_until: datetime | None = None,
    ) -> LedgerEntry:
        event = self._key_added(
            participant_id, public_key, valid_from, valid_until, self.clock.now()
        )
        return self._append([event], operator=True)[0]

    def revoke_key(
        self, participant_id: str, key_id: str, reason: str = "", revoked_at: datetime | None = None
    ) -> LedgerEntry:
        now = self.clock.now()
        payload: dict[str, Any] = {
            "participant_id": participant_id,
            "key_id": key_id,
            "revoked_at": format_timestamp(revoked_at or now),
        }
        if reason:
            payload["reason"] = reason
        event = self._operator_event("participant.key_revoked", payload, now, [participant_id])
        return self._append([event], operator=True)[0]

    # -- appending ---------------------------------------------------------------------
    def append(self, event: Event) -> LedgerEntry:
        """Append one signed event (idempotent for the same id and content)."""
        return self._append([event], operator=False)[0]

    def append_batch(self, events: Sequence[Event]) -> list[LedgerEntry]:
        """Append signed events atomically: all of them or none."""
        return self._append(events, operator=False)

    def _append(self, events: Sequence[Event], *, operator: bool) -> list[LedgerEntry]:
        now = self.clock.now()
        self._appender.validate(events, now, operator=operator)
        entries = self._write(events, now)
        self.maybe_checkpoint()
        return entries

    def _write(self, events: Sequence[Event], now: datetime) -> list[LedgerEntry]:
        return [LedgerEntry(*row) for row in self._appender.write(events, now)]

    @property
    def appender(self) -> Appender:
        return self._appender

    # -- reading -----------------------------------------------------------------------
    def size(self) -> int:
        with self.engines.read.connect() as connection:
            return int(
                connection.execute(
                    select(models.LedgerHead.tree_size).where(models.LedgerHead.id == 1)
                ).scalar_one()
            )

    def entry(self, seq: int) -> LedgerEntry:
        with self.engines.read.connect() as connection:
            row = connection.execute(
                select(models.Entry.__table__).where(models.Entry.seq == seq)
            ).first()
        if row is None:
            raise NotFound(f"no entry {seq}", field="seq")
        return entry_from_row(row)

    def query(self, query: EntryQuery) -> Page:
        """One page of entries matching ``query``, with the cursor of the next page."""
        with self.engines.read.connect() as connection:
            rows = list(connection.execute(query.statement()))
        more = len(rows) > query.limit
        entries = [entry_from_row(row) for row in rows[: query.limit]]
        return Page(entries, entries[-1].seq if more and entries else None)

    # -- checkpoints -------------------------------------------------------------------
    def checkpoint(self) -> SignedCheckpoint:
        """Cut a signed checkpoint at the current size (or return the one already there)."""
        with self.engines.write.begin() as connection:
            head = lock_head(connection)
            existing = connection.execute(
                select(models.Checkpoint.note).where(models.Checkpoint.tree_size == head.tree_size)
            ).scalar_one_or_none()
            if existing is not None:
                return SignedCheckpoint.parse(existing)
            root = root_at(head.tree_size, SqlNodeReader(connection))
            now = self.clock.now()
            signed = Checkpoint(self.origin, head.tree_size, root, int(now.timestamp())).sign(
                self.key, self.origin
            )
            connection.execute(
                insert(models.Checkpoint).values(
                    tree_size=head.tree_size,
                    root_hash=root,
                    timestamp=int(now.timestamp()),
                    note=signed.note,
                )
            )
        return signed

    def maybe_checkpoint(self) -> SignedCheckpoint | None:
        """Cut a checkpoint when N entries or T seconds have passed since the last one.

        The last one is the newest in the database, whoever cut it: another process, or
        this one before a restart. Before the first, T counts from the ledger's first entry.
        """
        if self._key is None:
            return None
        with self.engines.read.begin() as connection:
            size = _size(connection)
            latest = connection.execute(
                select(models.Checkpoint.tree_size, models.Checkpoint.timestamp)
                .order_by(models.Checkpoint.tree_size.desc())
                .limit(1)
            ).first()
            if latest is not None:
                covered = int(latest.tree_size)
                since: datetime | None = datetime.fromtimestamp(latest.timestamp, UTC)
            else:
                covered = 0
                since = connection.execute(
                    select(models.Entry.recorded_at).where(models.Entry.seq == 0)
                ).scalar_one_or_none()
        if size == covered:
            return None
        elapsed = (self.clock.now() - since).total_seconds() if since is not None else 0.0
        if size - covered >= self.policy.every_entries or elapsed >= self.policy.every_seconds:
            return self.checkpoint()
        return None

    def latest_checkpoint_size(self) -> int:
        with self.engines.read.connect() as connection:
            value = connection.execute(
                select(func.max(models.Checkpoint.tree_size))
            ).scalar_one_or_none()
        return int(value or 0)

    def latest_checkpoint(self) -> SignedCheckpoint:
        with self.engines.read.connect() as connection:
            note = connection.execute(
                select(models.Checkpoint.note).order_by(models.Checkpoint.tree_size.desc()).limit(1)
            ).scalar_one_or_none()
        if note is None:
            raise NotFound("no checkpoint has been cut yet")
        return SignedCheckpoint.parse(note)

    # -- proofs ------------------------------------------------------------------------
    def inclusion_proof(self, seq: int, tree_size: int | None = None) -> InclusionProof:
        with self.engines.read.begin() as connection:
            current = _size(connection)
            size = tree_size if tree_size is not None else current
            _check_size(size, current, "tree_size")
            if not 0 <= seq < size:
                raise InvalidEvent(f"seq must be in [0, {size})", field="seq")
            reader = PrefetchedNodes(
                SqlNodeReader(connection),
                [*inclusion_plan(seq, size).ids, _leaf(seq), *root_plan(size)],
            )
            path = inclusion_proof(seq, size, reader)
            leaf = reader.get_nodes([_leaf(seq)])[_leaf(seq)]
            root = root_at(size, reader)
        return InclusionProof(seq, size, leaf, path, root)

    def consistency_proof(self, first: int, second: int) -> ConsistencyProof:
        with self.engines.read.begin() as connection:
            _check_size(second, _size(connection), "second")
            if not 0 < first <= second:
                raise InvalidEvent("need 0 < first <= second", field="first")
            reader = PrefetchedNodes(
                SqlNodeReader(connection),
                [*consistency_plan(first, second).ids, *root_plan(first), *root_plan(second)],
            )
            proof = consistency_proof(first, second, reader)
            first_root, second_root = root_at(first, reader), root_at(second, reader)
        return ConsistencyProof(first, second, first_root, second_root, proof)


def _leaf(seq: int) -> NodeId:
    return NodeId(0, seq)


def _size(connection: Any) -> int:
    return int(
        connection.execute(
            select(models.LedgerHead.tree_size).where(models.LedgerHead.id == 1)
        ).scalar_one()
    )


def _check_size(size: int, current: int, field: str) -> None:
    if not 0 < size <= current:
        raise InvalidEvent(f"must be in [1, {current}]", field=field)


def entry_from_row(row: Any) -> LedgerEntry:
    """Rebuild an entry from a row of the ``entries`` table (re-parsing its canonical bytes)."""
    return LedgerEntry(
        row.seq,
        Event.from_canonical(row.canonical, row.signature),
        row.leaf_hash,
        row.chain_hash,
        row.recorded_at,
    )


def open_from_settings(read_only: bool = False) -> Ledger:
    from ledger.settings import get_settings

    settings = get_settings()
    return Ledger.open(
        settings.db_url,
        key_file=settings.ledger_key_file,
        origin=settings.origin,
        read_only=read_only,
        policy=CheckpointPolicy(
            settings.checkpoint_every_entries, settings.checkpoint_every_seconds
        ),
        signature_threads=min(settings.signature_threads, os.cpu_count() or 1),
    )


__all__ = ["UTC", "CheckpointPolicy", "ConsistencyProof", "InclusionProof", "Ledger", "LedgerEntry"]
