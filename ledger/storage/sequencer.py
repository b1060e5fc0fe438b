"""The sequencer: prepare outside the lock, then give entries their places inside it.

Everything that costs CPU and needs no shared state — schema checks, and Ed25519
verification spread over the signature threads — happens in :meth:`Sequencer.prepare`,
before the database lock is taken, and its result is a :class:`Prepared` batch that
carries the keys its signatures were proved with (a key_id names its public key forever,
being the key's hash, so a signature checked early stays checked). :meth:`Sequencer.write`
runs inside a unit of work that holds the lock: key validity against the registry as it
stands, idempotence, sequence numbers, chain and Merkle hashes, the inserts and the
registry projection. A signature whose key was unknown at preparation (registered since)
is checked there. The caller commits or rolls back; nothing here commits.

:meth:`Sequencer.start` leaves a large batch's signature checks running while it is
written (see :class:`~ledger.storage.batches.SignatureChecks`).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, String, any_, bindparam, select, update
from sqlalchemy.dialects import postgresql

from ledger.core.entry import Appended
from ledger.core.errors import Conflict, InvalidEvent, LedgerError
from ledger.core.event_types import EventTypeRegistry
from ledger.core.event_types.authority import authorise
from ledger.core.events import Draft, Event, sign_drafts
from ledger.core.hashing import CURRENT_FORMAT, chain_hash, entry_leaf
from ledger.core.keybook import OPERATOR, REGISTRY_TYPES, KeyBook
from ledger.core.keys import SigningKey, key_id_for, parse_public_key, verify_signature
from ledger.storage.batches import MAX_BATCH, Prepared, SignatureChecks, Written, in_batch
from ledger.storage.head import Tip
from ledger.storage.keys import KeyCache, load_book
from ledger.storage.models import Entry, LedgerHead
from ledger.storage.registry_rows import project_registry
from ledger.storage.rows import RowInserts
from ledger.storage.signatures import Signers, check_batch

FUTURE_SKEW = timedelta(minutes=5)


def _positions(events: Sequence[Event]) -> Any:
    return (lambda i: i) if len(events) > 1 else (lambda i: None)


# Built once, with bound parameters: an append runs these every time, and building a
# SQLAlchemy statement costs more than a single-event append's own SQL.
_MOVE_HEAD = (
    update(LedgerHead)
    .where(LedgerHead.id == 1)
    .values(tree_size=bindparam("n"), chain_hash=bindparam("h"))
)
_ENTRY_COLUMNS = (
    Entry.seq,
    Entry.canonical,
    Entry.signature,
    Entry.leaf_hash,
    Entry.chain_hash,
    Entry.recorded_at,
    Entry.format,
)
# The batch's ids already in the log: on PostgreSQL as one array parameter (the statement
# stays the same whatever the batch's size, and the server plans no list of 500 values).
_EXISTING = select(*_ENTRY_COLUMNS).where(Entry.event_id.in_(bindparam("ids", expanding=True)))
_EXISTING_ANY = select(*_ENTRY_COLUMNS).where(
    Entry.event_id == any_(bindparam("ids", type_=postgresql.ARRAY(String)))
)


class Sequencer:
    def __init__(
        self,
        registry: EventTypeRegistry,
        ledger_public_key: bytes,
        keys: KeyCache,
        pool: ThreadPoolExecutor | None = None,
    ) -> None:
        self._registry = registry
        self._ledger_public_key = ledger_public_key
        self._keys = keys
        self._pool = pool

    # -- outside the lock -------------------------------------------------------------
    def prepare(self, events: Sequence[Event], now: datetime, *, operator: bool) -> Prepared:
        """Check rules, payload schemas and signatures; raise the first failure.

        Rules and payload schemas are checked first, in order, on this thread (pure Python:
        spreading them over threads only makes them fight for the GIL); then signatures, in
        a few large parts across the pool's threads, since libsodium releases the GIL.
        """
        prepared, signatures = self.start(events, now, operator=operator)
        signatures.settle()
        return prepared

    def start(
        self,
        events: Sequence[Event],
        now: datetime,
        *,
        operator: bool,
        signers: Signers | None = None,
    ) -> tuple[Prepared, SignatureChecks]:
        """As :meth:`prepare`, but a batch large enough for the pool is handed back with its
        signatures still being checked on the pool's threads.

        The caller may write the batch meanwhile, inside a transaction, and must
        :meth:`SignatureChecks.settle` before it commits (and report a bad signature before
        whatever its write raised: :meth:`prepare` would have). A smaller batch, or one
        without a pool, is checked here and raises as :meth:`prepare` does. A signature
        whose key is among ``signers`` (by key id) is proved by making it again
        (:mod:`ledger.storage.signatures`).
        """
        where = self._check_rules(events, now, operator=operator)
        keys = self._public_keys(events)
        signatures = check_batch(events, keys, where, self._pool, signers)
        proven = {
            (event.canonical, event.signature): keys[event.key_id]
            for event in events
            if event.key_id in keys
        }
        return Prepared(tuple(events), operator, proven), signatures

    def prepare_signed(
        self, key: SigningKey, drafts: Sequence[Draft], now: datetime, *, operator: bool
    ) -> Prepared:
        """Sign ``drafts`` with ``key`` here, then check them as :meth:`prepare` does, bar
        verifying the signatures just made.

        Each signature is made in this call, by ``key``, over the very bytes the event keeps
        (an :class:`Event` is immutable), and Ed25519 signing is deterministic and correct:
        verifying it with ``key.public_key`` cannot fail, so it is recorded as proven with
        that key, as a verification would have. The write still compares it with the key
        the registry holds for the actor at the time, and verifies against that one if it
        differs (which then fails, as it must).
        """
        if not drafts:
            raise InvalidEvent("a batch holds at least one event", field="events")
        if len(drafts) > MAX_BATCH:
            raise InvalidEvent(f"a batch holds at most {MAX_BATCH} events", field="events")
        events = sign_drafts(key, drafts, self._pool)
        self._check_rules(events, now, operator=operator)
        proven = {(event.canonical, event.signature): key.public_key for event in events}
        return Prepared(tuple(events), operator, proven)

    def _check_rules(self, events: Sequence[Event], now: datetime, *, operator: bool) -> Any:
        """The batch's size, then each event's rules and payload schema, in order."""
        if not events:
            raise InvalidEvent("a batch holds at least one event", field="events")
        if len(events) > MAX_BATCH:
            raise InvalidEvent(f"a batch holds at most {MAX_BATCH} events", field="events")
        where = _positions(events)
        limit = now + FUTURE_SKEW
        for i, event in enumerate(events):
            try:
                if (event.type in REGISTRY_TYPES or event.actor == OPERATOR) and not operator:
                    raise InvalidEvent("only the ledger operator writes as operator", field="actor")
                self._registry.validate(event.flow, event.type, event.payload)
                if event.occurred_at > limit:
                    raise InvalidEvent("lies in the future", field="occurred_at")
            except LedgerError as exc:
                raise in_batch(where(i), exc) from None
        return where

    def _public_keys(self, events: Sequence[Event]) -> dict[str, bytes]:
        """Keys for the batch: its own new keys, the ledger's, then the key table."""
        keys = {key_id_for(self._ledger_public_key): self._ledger_public_key}
        for event in events:
            if event.type == "participant.key_added":
                public_key = parse_public_key(str(event.payload.get("public_key", "")))
                keys[key_id_for(public_key)] = public_key
        missing = {event.key_id for event in events if event.key_id not in keys}
        keys.update(self._keys.lookup(missing))
        return keys

    # -- inside the lock ---------------------------------------------------------------
    def write(
        self,
        connection: Connection,
        tip: Tip,
        prepared: Prepared,
        now: datetime,
        before_insert: Any = None,
    ) -> Written:
        """Append ``prepared`` at ``tip`` on ``connection`` (which holds the lock).

        Every signature is checked against the key the registry holds for it here, unless
        :meth:`prepare` proved it with that very key: an event whose key was unknown at
        preparation is checked now. ``tip`` is not modified; the new one is returned.
        """
        events = prepared.events
        where = _positions(events)
        existing = self._existing(connection, events)
        book = load_book(connection, self._ledger_public_key, events)
        frontier = tip.frontier.copy()
        seq, last = tip.tree_size, tip.chain_hash
        rows = RowInserts.for_dialect(connection.dialect)
        # Recording times never go back, whatever the clock does between two appends.
        if tip.recorded_at is not None and now < tip.recorded_at:
            now = tip.recorded_at
        recorded_at = rows.stamp(now)
        entry_rows: list[tuple[Any, ...]] = []
        ref_rows: list[tuple[str, int, str]] = []
        node_rows: list[tuple[int, int, bytes]] = []
        fresh: dict[str, Appended] = {}
        registry_events: list[tuple[int, Event]] = []
        results: list[Appended] = []
        for i, event in enumerate(events):
            earlier = existing.get(event.id) or fresh.get(event.id)
            if earlier is not None:
                if (earlier.event.canonical, earlier.event.signature) != (
                    event.canonical,
                    event.signature,
                ):
                    raise in_batch(
                        where(i),
                        Conflict(f"event {event.id} exists with other content", field="id"),
                    )
                results.append(earlier if earlier.replayed else _replayed(earlier))
                continue
            try:
                self._admit(book, event, prepared, now)
            except LedgerError as exc:
                raise in_batch(where(i), exc) from None
            if event.type in REGISTRY_TYPES:
                registry_events.append((seq, event))
            leaf = entry_leaf(CURRENT_FORMAT, event.canonical, event.signature, now)
            last = chain_hash(last, leaf)
            node_rows.extend(
                (node.level, node.index, digest) for node, digest in frontier.push(leaf)
            )
            entry_rows.append(rows.entry_row(seq, event, recorded_at, leaf, last, CURRENT_FORMAT))
            ref_rows.append((event.actor, seq, "actor"))
            ref_rows.extend((subject, seq, "subject") for subject in set(event.subjects))
            fresh[event.id] = Appended(seq, event, leaf, last, now, replayed=False)
            results.append(fresh[event.id])
            seq += 1
        if entry_rows:
            rows.insert(connection, entry_rows, ref_rows, node_rows)
            connection.execute(_MOVE_HEAD, {"n": seq, "h": last})
            project_registry(connection, registry_events, book)
        if before_insert is not None:
            before_insert()
        return Written(results, Tip(seq, last, frontier, now if fresh else tip.recorded_at))

    def _admit(self, book: KeyBook, event: Event, prepared: Prepared, now: datetime) -> None:
        """The registry's verdict on one event at ``now``, then its signature if not proven."""
        key = book.key_for(event, at=now)
        if prepared.proven.get((event.canonical, event.signature)) != key.public_key:
            verify_signature(key.public_key, event.canonical, event.signature)
        authorise(self._registry, book, event)
        book.apply(event)

    def _existing(self, connection: Connection, events: Sequence[Event]) -> dict[str, Appended]:
        statement = _EXISTING_ANY if connection.dialect.name == "postgresql" else _EXISTING
        rows = connection.execute(statement, {"ids": sorted({event.id for event in events})})
        found = {}
        for row in rows:
            event = Event.from_canonical(row.canonical, row.signature)
            found[event.id] = Appended(
                row.seq, event, row.leaf_hash, row.chain_hash, row.recorded_at, row.format, True
            )
        return found


def _replayed(entry: Appended) -> Appended:
    return Appended(
        entry.seq, entry.event, entry.leaf_hash, entry.chain_hash, entry.recorded_at,
        entry.format, True,
    )  # fmt: skip
