"""The sequencer: validate outside the lock, then assign places inside one transaction.

Everything that costs CPU and needs no shared state — schema checks, and Ed25519
verification spread over the signature threads — happens before the database lock is
taken; a key_id names its public key forever (it is the key's hash), so a signature
checked early stays checked. A signature that could not be checked early, because its key
was not registered yet, is checked inside the lock against the key as registered then.
Inside the lock only what depends on the tip is done: key validity against the registry as
it stands, idempotence, sequence numbers, chain and Merkle hashes, and the inserts. The
Merkle frontier is kept between appends and reused when the head shows nobody else wrote.
A batch commits whole or not at all, and a writer killed mid-batch leaves nothing behind.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection, Dialect, insert, select, update

from ledger.core.errors import Conflict, InvalidEvent, LedgerError
from ledger.core.event_types import EventTypeRegistry
from ledger.core.events import Event
from ledger.core.hashing import chain_hash, entry_leaf_hash
from ledger.core.keybook import OPERATOR, REGISTRY_TYPES, KeyBook, KeyState, ParticipantState
from ledger.core.keys import key_id_for, parse_public_key, verify_signature
from ledger.core.merkle.append import Frontier
from ledger.storage.db import Engines
from ledger.storage.models import (
    Entry,
    EntryRef,
    LedgerHead,
    MerkleNode,
    Participant,
    ParticipantKey,
)
from ledger.storage.nodes import SqlNodeReader

MAX_BATCH = 10_000
FUTURE_SKEW = timedelta(minutes=5)
_PARALLEL_FROM = 64
_SIGNATURE_PARTS = 4
_STORED_KEYS_MAX = 100_000
E = TypeVar("E", bound=LedgerError)


def _in_batch(position: int | None, error: E) -> E:
    """Prefix an error's field with the event's place in the batch."""
    if position is not None:
        error.field = f"events[{position}]" + (f".{error.field}" if error.field else "")
        error.detail = f"events[{position}]: {error.detail}"
        error.args = (error.detail,)
    return error


@dataclass(frozen=True, slots=True)
class Head:
    tree_size: int
    chain_hash: bytes


def lock_head(connection: Connection) -> Head:
    """Take the sequencer lock (SQLite already holds it from BEGIN IMMEDIATE)."""
    stmt = select(LedgerHead.tree_size, LedgerHead.chain_hash).where(LedgerHead.id == 1)
    if connection.dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    row = connection.execute(stmt).one_or_none()
    if row is None:
        raise LedgerError("the ledger is not initialised")
    return Head(row.tree_size, row.chain_hash)


class _RowInserts:
    """The three append-only inserts as driver-level ``executemany`` of plain tuples.

    The column values are what SQLAlchemy's Core insert would bind: strings, integers and
    bytes pass through unchanged on both drivers, and the two timestamps go through the
    column type's own bind processor (UTC, then the dialect's storage form); only the
    per-row parameter dictionaries and their processing are skipped.
    """

    ENTRY_COLUMNS = (
        "seq",
        "event_id",
        "flow",
        "type",
        "actor",
        "key_id",
        "occurred_at",
        "recorded_at",
        "canonical",
        "signature",
        "leaf_hash",
        "chain_hash",
    )

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        quote = dialect.identifier_preparer.quote

        def statement(table: str, columns: Sequence[str]) -> str:
            names = ", ".join(quote(column) for column in columns)
            return (
                f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join([mark] * len(columns))})"
            )

        self.entries = statement(Entry.__tablename__, self.ENTRY_COLUMNS)
        self.refs = statement(EntryRef.__tablename__, ("ref", "seq", "role"))
        self.nodes = statement(MerkleNode.__tablename__, ("level", "idx", "hash"))
        process = Entry.__table__.c.occurred_at.type.dialect_impl(dialect).bind_processor(dialect)
        self.stamp: Callable[[datetime], Any] = process or (lambda moment: moment)


class Appender:
    def __init__(
        self,
        engines: Engines,
        registry: EventTypeRegistry,
        ledger_public_key: bytes,
        pool: ThreadPoolExecutor | None = None,
    ) -> None:
        self._engines = engines
        self._registry = registry
        self._ledger_public_key = ledger_public_key
        self._pool = pool
        self.before_commit: Any = None  # test hook: called inside the transaction
        # key_id -> public key as read from the key table: rows are never deleted and a
        # key_id is never re-bound, so what was read once stays true.
        self._stored_keys: dict[str, bytes] = {}
        # Signatures validate() proved in this thread, for write() to trust: (canonical,
        # signature) -> the public key that verified them.
        self._local = threading.local()
        # The Merkle frontier after this appender's last commit, with the head it belongs
        # to; taken (never shared) by the next write, which reuses it if the head agrees.
        self._tip: tuple[int, bytes, Frontier] | None = None
        self._tip_lock = threading.Lock()
        self._inserts: _RowInserts | None = None

    # -- outside the lock -------------------------------------------------------------
    def validate(self, events: Sequence[Event], now: datetime, *, operator: bool) -> None:
        """Check rules, payload schemas and signatures; raise the first failure.

        Rules and payload schemas are checked first, in order, on this thread (pure Python:
        spreading them over threads only makes them fight for the GIL); then signatures, in
        a few large parts across the pool's threads, since libsodium releases the GIL.
        """
        self._local.verified = {}
        if not events:
            raise InvalidEvent("a batch holds at least one event", field="events")
        if len(events) > MAX_BATCH:
            raise InvalidEvent(f"a batch holds at most {MAX_BATCH} events", field="events")
        where = (lambda i: i) if len(events) > 1 else (lambda i: None)
        limit = now + FUTURE_SKEW
        for i, event in enumerate(events):
            try:
                if (event.type in REGISTRY_TYPES or event.actor == OPERATOR) and not operator:
                    raise InvalidEvent("only the ledger operator writes as operator", field="actor")
                self._registry.validate(event.flow, event.type, event.payload)
                if event.occurred_at > limit:
                    raise InvalidEvent("lies in the future", field="occurred_at")
            except LedgerError as exc:
                raise _in_batch(where(i), exc) from None
        keys = self._public_keys(events)
        self._verify_signatures(events, keys, where)
        self._local.verified = {
            (event.canonical, event.signature): keys[event.key_id]
            for event in events
            if event.key_id in keys
        }

    def _verify_signatures(
        self, events: Sequence[Event], keys: dict[str, bytes], where: Any
    ) -> None:
        """Raise for the first event whose signature does not verify.

        An event whose key is unknown here is left for :meth:`write`, which reports an
        unknown key with its actor, or checks the signature once the key exists.
        """

        def check(part: range) -> tuple[int, LedgerError] | None:
            for i in part:
                event = events[i]
                public_key = keys.get(event.key_id)
                if public_key is None:
                    continue
                try:
                    verify_signature(public_key, event.canonical, event.signature)
                except LedgerError as exc:
                    return i, exc
            return None

        count = len(events)
        if self._pool is not None and count >= _PARALLEL_FROM:
            step = -(-count // _SIGNATURE_PARTS)
            parts = [range(start, min(start + step, count)) for start in range(0, count, step)]
            failures = [found for found in self._pool.map(check, parts) if found is not None]
        else:
            found = check(range(count))
            failures = [] if found is None else [found]
        if failures:
            i, error = failures[0]  # parts are in order, so this is the first bad event
            raise _in_batch(where(i), error)

    def _public_keys(self, events: Sequence[Event]) -> dict[str, bytes]:
        """Keys for the batch: its own new keys, the ledger's, then the key table."""
        keys = {key_id_for(self._ledger_public_key): self._ledger_public_key}
        for event in events:
            if event.type == "participant.key_added":
                public_key = parse_public_key(str(event.payload.get("public_key", "")))
                keys[key_id_for(public_key)] = public_key
        missing = set()
        for event in events:
            kid = event.key_id
            if kid not in keys:
                stored = self._stored_keys.get(kid)
                if stored is None:
                    missing.add(kid)
                else:
                    keys[kid] = stored
        if missing:
            with self._engines.read.connect() as connection:
                rows = connection.execute(
                    select(ParticipantKey.key_id, ParticipantKey.public_key).where(
                        ParticipantKey.key_id.in_(missing)
                    )
                )
                found = {kid: pk for kid, pk in rows}
            if len(self._stored_keys) > _STORED_KEYS_MAX:
                self._stored_keys.clear()
            self._stored_keys.update(found)
            keys.update(found)
        return keys

    # -- inside the lock ---------------------------------------------------------------
    def write(
        self, events: Sequence[Event], now: datetime
    ) -> list[tuple[int, Event, bytes, bytes, datetime]]:
        """Append under the lock; returns (seq, event, leaf, chain, recorded_at) per event.

        Every signature is checked against the key the registry holds for it here, under
        the lock, unless :meth:`validate` already proved it with that very key in this
        thread: an event whose key was unknown at validation (registered since) is checked
        now, and so is anything written without validation.
        """
        where = (lambda i: i) if len(events) > 1 else (lambda i: None)
        verified: dict[tuple[bytes, bytes], bytes] = getattr(self._local, "verified", {})
        self._local.verified = {}
        with self._engines.write.begin() as connection:
            head = lock_head(connection)
            existing = self._existing(connection, events)
            book = self._load_book(connection, events)
            frontier = self._frontier(connection, head)
            seq, tip = head.tree_size, head.chain_hash
            results: list[tuple[int, Event, bytes, bytes, datetime]] = []
            rows = self._rows(connection)
            recorded_at = rows.stamp(now)
            entry_rows: list[tuple[Any, ...]] = []
            ref_rows: list[tuple[str, int, str]] = []
            node_rows: list[tuple[int, int, bytes]] = []
            fresh: dict[str, tuple[int, Event, bytes, bytes, datetime]] = {}
            registry_events: list[Event] = []
            for i, event in enumerate(events):
                earlier = existing.get(event.id) or fresh.get(event.id)
                if earlier is not None:
                    if (earlier[1].canonical, earlier[1].signature) != (
                        event.canonical,
                        event.signature,
                    ):
                        raise _in_batch(
                            where(i),
                            Conflict(f"event {event.id} exists with other content", field="id"),
                        )
                    results.append(earlier)
                    continue
                try:
                    key = book.key_for(event)
                    if verified.get((event.canonical, event.signature)) != key.public_key:
                        verify_signature(key.public_key, event.canonical, event.signature)
                    book.apply(event)
                except LedgerError as exc:
                    raise _in_batch(where(i), exc) from None
                if event.type in REGISTRY_TYPES:
                    registry_events.append(event)
                leaf = entry_leaf_hash(event.canonical, event.signature)
                tip = chain_hash(tip, leaf)
                for node, digest in frontier.push(leaf):
                    node_rows.append((node.level, node.index, digest))
                entry_rows.append(
                    (
                        seq,
                        event.id,
                        event.flow,
                        event.type,
                        event.actor,
                        event.key_id,
                        rows.stamp(event.occurred_at),
                        recorded_at,
                        event.canonical,
                        event.signature,
                        leaf,
                        tip,
                    )
                )
                ref_rows.append((event.actor, seq, "actor"))
                ref_rows.extend((subject, seq, "subject") for subject in set(event.subjects))
                fresh[event.id] = (seq, event, leaf, tip, now)
                results.append(fresh[event.id])
                seq += 1
            if entry_rows:
                connection.exec_driver_sql(rows.entries, entry_rows)
                connection.exec_driver_sql(rows.refs, ref_rows)
                if node_rows:
                    connection.exec_driver_sql(rows.nodes, node_rows)
                connection.execute(
                    update(LedgerHead)
                    .where(LedgerHead.id == 1)
                    .values(tree_size=seq, chain_hash=tip)
                )
                _project_registry(connection, registry_events, fresh, book)
            if self.before_commit is not None:
                self.before_commit()
        with self._tip_lock:
            self._tip = (seq, tip, frontier)
        return results

    def _frontier(self, connection: Connection, head: Head) -> Frontier:
        """The frontier at ``head``: the one this appender left, if nobody wrote since."""
        with self._tip_lock:
            cached, self._tip = self._tip, None
        if cached is not None and (cached[0], cached[1]) == (head.tree_size, head.chain_hash):
            return cached[2]
        return Frontier.load(head.tree_size, SqlNodeReader(connection))

    def _rows(self, connection: Connection) -> _RowInserts:
        if self._inserts is None or self._inserts.dialect is not connection.dialect:
            self._inserts = _RowInserts(connection.dialect)
        return self._inserts

    def _existing(
        self, connection: Connection, events: Sequence[Event]
    ) -> dict[str, tuple[int, Event, bytes, bytes, datetime]]:
        ids = list({event.id for event in events})
        rows = connection.execute(
            select(
                Entry.seq,
                Entry.canonical,
                Entry.signature,
                Entry.leaf_hash,
                Entry.chain_hash,
                Entry.recorded_at,
            ).where(Entry.event_id.in_(ids))
        )
        found = {}
        for row in rows:
            event = Event.from_canonical(row.canonical, row.signature)
            found[event.id] = (row.seq, event, row.leaf_hash, row.chain_hash, row.recorded_at)
        return found

    def _load_book(self, connection: Connection, events: Sequence[Event]) -> KeyBook:
        book = KeyBook.bootstrap(self._ledger_public_key)
        key_ids = {event.key_id for event in events}
        people = {event.actor for event in events}
        for event in events:
            if event.type in REGISTRY_TYPES:
                people.add(str(event.payload.get("participant_id")))
                key_ids.add(str(event.payload.get("key_id")))
        for row in connection.execute(
            select(Participant.__table__).where(Participant.id.in_(people))
        ):
            book.participants[row.id] = ParticipantState(
                row.id, row.legal_name, tuple(row.roles), row.country
            )
        for row in connection.execute(
            select(ParticipantKey.__table__).where(ParticipantKey.key_id.in_(key_ids))
        ):
            if row.participant_id == OPERATOR and row.key_id in book.keys:
                continue
            book.keys[row.key_id] = KeyState(
                row.key_id,
                row.participant_id,
                row.public_key,
                row.valid_from,
                row.valid_until,
                row.revoked_at,
            )
        return book


def _project_registry(
    connection: Connection,
    events: list[Event],
    fresh: dict[str, tuple[int, Event, bytes, bytes, datetime]],
    book: KeyBook,
) -> None:
    """Keep the participants and keys tables in step with the registry events just written.

    ``book`` has already applied these events, so the rows are read off its final state.
    """
    for event in events:
        seq = fresh[event.id][0]
        pid = str(event.payload["participant_id"])
        if event.type == "participant.registered":
            person = book.participants[pid]
            connection.execute(
                insert(Participant).values(
                    id=pid,
                    legal_name=person.legal_name,
                    roles=list(person.roles),
                    country=person.country,
                    registered_seq=seq,
                )
            )
            continue
        state = book.keys[str(event.payload["key_id"])]
        if event.type == "participant.key_added":
            connection.execute(
                insert(ParticipantKey).values(
                    key_id=state.key_id,
                    participant_id=state.participant_id,
                    public_key=state.public_key,
                    valid_from=state.valid_from,
                    valid_until=state.valid_until,
                    revoked_at=None,
                    added_seq=seq,
                )
            )
        else:
            connection.execute(
                update(ParticipantKey)
                .where(ParticipantKey.key_id == state.key_id)
                .values(revoked_at=state.revoked_at)
            )
