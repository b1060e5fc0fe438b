"""The ledger's front door: open a store, then append through units of work, checkpoint, prove.

One :class:`Ledger` per process and database composes the sequencer, the projections, the
checkpointer and the proof service, and hands features a :meth:`Ledger.unit_of_work` to
append and change their own state in one transaction, or a :meth:`Ledger.reading`
snapshot. The convenience methods (``append_batch``...) are each one unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection

from ledger import keyfile
from ledger.checkpoints import Checkpointer, CheckpointPolicy
from ledger.core.append_receipt import AppendReceipt
from ledger.core.checkpoint import SignedCheckpoint
from ledger.core.clock import Clock, SystemClock
from ledger.core.entry import Appended, LedgerEntry
from ledger.core.errors import LedgerError
from ledger.core.event_types import REGISTRY, EventTypeRegistry
from ledger.core.events import Draft, Event
from ledger.core.keybook import Registration
from ledger.core.keys import SigningKey, key_id_for
from ledger.core.proofs import ConsistencyProof, InclusionProof
from ledger.operator import OperatorEvents
from ledger.proofs import ProofService
from ledger.registrations import Registrations
from ledger.storage import reads
from ledger.storage.batches import Prepared
from ledger.storage.db import Engines, make_engines, migrate
from ledger.storage.head import create_head, read_head
from ledger.storage.keys import KeyCache
from ledger.storage.nodes import KeptReads
from ledger.storage.projections import Projector, Projectors
from ledger.storage.query import EntryQuery, Page
from ledger.storage.sequencer import Sequencer
from ledger.storage.signatures import Signers
from ledger.storage.unit_of_work import TipCache, UnitOfWork
from ledger.trust.read_log import ReadLog


def default_origin(public_key: bytes) -> str:
    return f"threeflow.ledger/{key_id_for(public_key)}"


class Ledger(Registrations):
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
        projectors: Iterable[Projector] | None = None,
        extra_projectors: Iterable[Projector] = (),
    ) -> None:
        self.engines = engines  # for tests and tools; features go through units of work
        self.clock: Clock = clock or SystemClock()
        self.registry = registry
        self._key = ledger_key
        self._pool = ThreadPoolExecutor(signature_threads) if signature_threads > 1 else None
        self.projectors = (
            Projectors([*projectors, *extra_projectors])
            if projectors is not None
            else Projectors.installed(extra_projectors)
        )
        self._tips = TipCache()
        head = read_head(engines.read)
        if head is None:
            if ledger_key is None:
                raise LedgerError("an empty ledger needs the ledger key to be initialised")
            self._initialise(ledger_key, origin or default_origin(ledger_key.public_key))
            head = read_head(engines.read)
            assert head is not None
        if ledger_key is not None and ledger_key.public_key != head.public_key:
            raise LedgerError("the ledger key given is not the key this ledger was created with")
        self.origin: str = head.origin
        self.public_key: bytes = head.public_key
        self._sequencer = Sequencer(registry, self.public_key, KeyCache(engines.read), self._pool)
        self._checkpoints = Checkpointer(
            engines.write, engines.read, self.origin, ledger_key, self.clock,
            policy or CheckpointPolicy(),
        )  # fmt: skip
        # connections kept for one-statement reads: proofs, and the API keys' revocation
        # reads of the HTTP layer (ledger.storage.key_reads), which share them
        self.kept_reads = KeptReads(engines.read)
        self.proofs = ProofService(engines.read, reads=self.kept_reads)
        self.read_log = ReadLog(engines)  # reads logged that no entry depends on
        if ledger_key is not None:
            self._reconcile_projections()

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
        extra_projectors: Iterable[Projector] = (),
    ) -> Ledger:
        """Open, migrate (on first use initialise) the ledger at ``url``; without ``ledger_key``
        it comes from ``key_file`` (made if missing), unless ``read_only`` (readers need none)."""
        engines = make_engines(url, must_exist=read_only)
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
            extra_projectors=extra_projectors,
        )

    @property
    def url(self) -> str:
        """The database's address (password included), for another process of the caller's
        that reads the same ledger: the feature pass's worker opens it read-only."""
        return self.engines.url

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)
        self.kept_reads.close()  # kept connections go back before the pool is disposed
        self.read_log.close()
        self.engines.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _initialise(self, key: SigningKey, origin: str) -> None:
        if not create_head(self.engines.write, origin, key.public_key):
            return  # another process initialised it first
        self.origin = origin
        self._sequencer = Sequencer(self.registry, key.public_key, KeyCache(self.engines.read))
        operator = OperatorEvents(key, origin, self.clock)
        first = Registration("operator", "ledger operator", ("operator",), None,
                             key.public_key, self.clock.now())  # fmt: skip
        with self._unit(lock=True, checkpoint=False) as uow:
            uow.append(operator.registration(first), operator=True)
            uow.commit()

    def _reconcile_projections(self) -> None:
        with self._unit(lock=True, checkpoint=False) as uow:
            self.projectors.reconcile(uow.connection)
            uow.commit()

    # -- units of work -----------------------------------------------------------------
    def _unit(self, *, lock: bool, checkpoint: bool) -> UnitOfWork:
        return UnitOfWork(
            self.engines.write,
            self._sequencer,
            self.projectors,
            self.clock,
            self._tips,
            lock=lock,
            after_commit=self._checkpoints.maybe_cut if checkpoint else None,
        )

    def unit_of_work(self, *, lock: bool = True) -> UnitOfWork:
        """A transaction to append and change projections in; commit it or it rolls back."""
        return self._unit(lock=lock, checkpoint=True)

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot of the ledger and its projections."""
        with self.engines.read.begin() as connection:
            yield connection

    def prepare(self, events: Sequence[Event], *, operator: bool = False) -> Prepared:
        """Check schemas and signatures before taking the lock (see :class:`Sequencer`)."""
        return self._sequencer.prepare(events, self.clock.now(), operator=operator)

    def prepare_signed(
        self, key: SigningKey, drafts: Sequence[Draft], *, operator: bool = False
    ) -> Prepared:
        """Sign ``drafts`` with ``key`` and prepare them: the signatures made here are not
        verified again (see :meth:`Sequencer.prepare_signed`)."""
        return self._sequencer.prepare_signed(key, drafts, self.clock.now(), operator=operator)

    # -- the signing key and the operator's entries -----------------------------------
    @property
    def key(self) -> SigningKey:
        if self._key is None:
            raise LedgerError("this ledger was opened without its signing key")
        return self._key

    @property
    def operator(self) -> OperatorEvents:
        return OperatorEvents(self.key, self.origin, self.clock)

    # -- appending ---------------------------------------------------------------------
    def append(self, event: Event) -> Appended:
        """Append one signed event (idempotent for the same id and content)."""
        return self.append_batch([event])[0]

    def append_batch(
        self, events: Sequence[Event], *, signers: Signers | None = None
    ) -> list[Appended]:
        """Append signed events atomically: all of them or none.

        A large batch is written while the pool's threads still check its signatures, and
        committed only once every one verified: the checks and the writing share the two
        cores instead of taking turns. A bad signature is reported before anything the write
        found (a conflict, an unknown key, a projection's refusal), as when the signatures
        were checked first, and the transaction is rolled back.

        ``signers`` (signing keys by key id) are keys the caller holds that signed some of
        the events: those signatures are proved by making them again, at 20 µs instead of
        a 50 µs verification (:mod:`ledger.storage.signatures`); any that differs is
        verified as usual.
        """
        prepared, signatures = self._sequencer.start(
            events, self.clock.now(), operator=False, signers=signers
        )
        try:
            with self.unit_of_work() as uow:
                entries = uow.append(prepared)
                signatures.settle()
                uow.commit()
        except Exception:
            failure = signatures.failure()
            if failure is not None:
                raise failure from None
            raise
        return entries

    def receipts(self, entries: Sequence[LedgerEntry]) -> Callable[[], list[AppendReceipt]]:
        """The ledger's signed append receipts for ``entries``, signed on the signature
        threads while the caller goes on; call the result to have them, in order."""
        return AppendReceipt.issue_all(self.key, self.origin, entries, self._pool)

    # -- reading -----------------------------------------------------------------------
    def size(self) -> int:
        with self.reading() as connection:
            return reads.tree_size(connection)

    def entry(self, seq: int) -> LedgerEntry:
        with self.reading() as connection:
            return reads.entry(connection, seq)

    def query(self, query: EntryQuery) -> Page:
        """One page of entries matching ``query``, with the cursor of the next page."""
        with self.reading() as connection:
            return reads.page(connection, query)

    # -- checkpoints and proofs ---------------------------------------------------------
    @property
    def policy(self) -> CheckpointPolicy:
        return self._checkpoints.policy

    def checkpoint(self) -> SignedCheckpoint:
        """Cut a signed checkpoint at the current size (or return the one already there)."""
        return self._checkpoints.cut()

    def maybe_checkpoint(self) -> SignedCheckpoint | None:
        """Cut a checkpoint when N entries or T seconds have passed since the newest one."""
        return self._checkpoints.maybe_cut()

    def latest_checkpoint(self) -> SignedCheckpoint:
        return self._checkpoints.latest()

    def checkpoint_at(self, tree_size: int) -> SignedCheckpoint:
        return self._checkpoints.at(tree_size)

    def known_sizes(self) -> tuple[int, int]:  # (tree, checkpoint) sizes in memory: no query
        return self._tips.committed_size, self._checkpoints.newest_known_size()

    def latest_checkpoint_size(self) -> int:
        return self._checkpoints.latest_size()

    def inclusion_proof(self, seq: int, tree_size: int | None = None) -> InclusionProof:
        return self.proofs.inclusion(seq, tree_size)

    def consistency_proof(self, first: int, second: int) -> ConsistencyProof:
        return self.proofs.consistency(first, second)


__all__ = ["CheckpointPolicy", "ConsistencyProof", "InclusionProof", "Ledger", "LedgerEntry"]
