"""Appending in a second process while the simulation generates: a pipelined sink.

Generating a signed event (agents, pricing, Ed25519 signing) and appending it (signature
check, authority, projections, Merkle nodes, SQL) each cost a core's worth of time; in one
process they add up, in two they overlap and the run takes as long as the slower of them.
:class:`PipelinedSink` satisfies :class:`~simulations.sink.LedgerSink`: it starts a worker
process that opens the ledger itself (by URL; never a connection across processes) and
sends it the batches, in order, through a bounded queue (a few batches in flight, so memory
stays flat and the generator waits when appending falls behind).

The ledger written is the same byte for byte as an in-process run: one writer, the batches
in the same order, and the worker's clock moved to each batch's newest event exactly as
:func:`simulations.runner.follow` moves the in-process one. A refusal in the worker stops
it; the next call here (or :meth:`close`) raises it as a
:class:`~ledger.core.errors.LedgerError` with the worker's code, status, field and entry.
Batches before the refused one stay appended, as in-process.

Events cross as tuples of their fields, rebuilt with :class:`~ledger.core.events.Event`'s
own constructor on the other side (what unpickling an event does, without its per-field
state protocol): half the pickling cost, the same events, so the same bytes.

Given the simulation's seed (``LedgerSpec.agent_seed``), the worker derives each registered
agent's key as the agents do and proves their signatures by making them again (20 µs
instead of a 50 µs verification, on the signature threads; see
:mod:`ledger.storage.signatures`): the generator still signs every event, and a signature
that is not the one the agent's key makes is verified, and refused, as before.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from ledger.core.errors import LedgerError
from ledger.core.events import Event
from ledger.core.keybook import Registration

DEPTH = 4  # batches in flight: enough to keep both processes busy, bounded memory
_POLL = 0.5  # seconds between checks that the worker is alive while the queue is full
_FIELDS = tuple(f.name for f in fields(Event))  # in the constructor's order


def _wire(events: Sequence[Event]) -> list[tuple[Any, ...]]:
    """Events as plain tuples of their fields: cheaper to pickle than the objects."""
    return [tuple(getattr(event, name) for name in _FIELDS) for event in events]


def _unwire(rows: Sequence[tuple[Any, ...]]) -> list[Event]:
    return [Event(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class LedgerSpec:
    """How the worker opens the ledger: plain values, so they cross a process boundary."""

    url: str
    start: datetime
    key_seed: bytes | None = None
    key_file: Path | None = None
    every_entries: int = 1000
    every_seconds: float = 86_400.0
    agent_seed: int | None = None  # the simulation's seed: the worker derives agents' keys


@dataclass(frozen=True, slots=True)
class _Done:
    """The worker's last word: the ledger's size, and the CPU its threads spent since the
    ledger was open (registering, appending, the last checkpoint)."""

    size: int
    cpu_seconds: float


@dataclass(frozen=True, slots=True)
class _Refusal:
    code: str
    status: int
    detail: str
    field: str | None
    seq: int | None

    def error(self) -> LedgerError:
        error = LedgerError(self.detail, field=self.field, seq=self.seq)
        error.code, error.status = self.code, self.status
        return error


def _work(spec: LedgerSpec, inbox: Any, outbox: Any) -> None:
    """The worker: open the ledger, apply each message in order, checkpoint at the end."""
    import time

    from ledger.core.clock import FixedClock
    from ledger.core.keys import SigningKey
    from ledger.log import CheckpointPolicy, Ledger
    from simulations.runner import follow
    from simulations.signer import agent_signers

    clock = FixedClock(spec.start)
    key = None if spec.key_seed is None else SigningKey(spec.key_seed)
    policy = CheckpointPolicy(every_entries=spec.every_entries, every_seconds=spec.every_seconds)
    try:
        ledger = Ledger.open(
            spec.url, ledger_key=key, key_file=spec.key_file, clock=clock, policy=policy
        )
    except LedgerError as exc:
        outbox.put(_Refusal(exc.code, exc.status, exc.detail, exc.field, exc.seq))
        return
    opened = time.process_time()
    signers: dict[str, SigningKey] = {}
    try:
        while (message := inbox.get()) is not None:
            kind, body = message
            if kind == "register":
                ledger.register_participants(body)
                if spec.agent_seed is not None:
                    signers.update(agent_signers(spec.agent_seed, body))
            else:
                events = _unwire(body)
                follow(clock, events)
                ledger.append_batch(events, signers=signers)
        ledger.checkpoint()
        outbox.put(_Done(ledger.size(), time.process_time() - opened))
    except LedgerError as exc:
        outbox.put(_Refusal(exc.code, exc.status, exc.detail, exc.field, exc.seq))
    finally:
        ledger.close()


class PipelinedSink:
    """A :class:`~simulations.sink.LedgerSink` whose appends run in a worker process."""

    def __init__(self, spec: LedgerSpec, depth: int = DEPTH) -> None:
        context = mp.get_context("spawn")  # a fresh interpreter: nothing inherited but spec
        self._inbox = context.Queue(maxsize=depth)
        self._outbox = context.Queue()
        self._worker = context.Process(
            target=_work, args=(spec, self._inbox, self._outbox), name="threeflow-appender"
        )
        self._worker.start()
        self._failure: LedgerError | None = None
        self.size: int | None = None
        self.worker_cpu: float | None = None  # seconds of CPU the worker used, once closed

    # -- LedgerSink ---------------------------------------------------------------------
    def register_participant(
        self,
        participant_id: str,
        legal_name: str,
        roles: list[str],
        country: str | None,
        public_key: bytes,
        valid_from: datetime,
    ) -> None:
        registration = Registration(
            participant_id, legal_name, tuple(roles), country, public_key, valid_from
        )
        self.register_participants([registration])

    def register_participants(self, registrations: Sequence[Registration]) -> None:
        self._send(("register", list(registrations)))

    def append_batch(self, events: Sequence[Event]) -> list[Event]:
        self._send(("append", _wire(events)))
        return list(events)  # sent, not yet appended: a refusal surfaces on a later call

    # -- lifetime -----------------------------------------------------------------------
    def close(self) -> int:
        """Wait for every batch to be appended and the final checkpoint; the ledger's size."""
        if self.size is None:
            self._send(None)
            self._collect(block=True)
            self._worker.join()
        return self.size or 0

    def abort(self) -> None:
        """Stop the worker without waiting for what is queued (after an error here)."""
        if self._worker.is_alive():
            self._worker.terminate()
        self._worker.join()

    def __enter__(self) -> PipelinedSink:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()

    def _send(self, message: Any) -> None:
        while True:
            self._collect(block=False)
            try:
                self._inbox.put(message, timeout=_POLL)
                return
            except queue.Full:
                continue

    def _collect(self, *, block: bool) -> None:
        """Raise the worker's refusal if it sent one; note its final size."""
        if self._failure is not None:
            raise self._failure
        while True:
            try:
                answer = self._outbox.get(timeout=_POLL) if block else self._outbox.get_nowait()
            except queue.Empty:
                if not self._worker.is_alive() and self._outbox.empty():
                    self._failure = LedgerError(
                        f"the appending process stopped (exit code {self._worker.exitcode})"
                    )
                    raise self._failure from None
                if block:
                    continue
                return
            if isinstance(answer, _Refusal):
                self._failure = answer.error()
                raise self._failure
            assert isinstance(answer, _Done)
            self.size, self.worker_cpu = answer.size, answer.cpu_seconds
            return
