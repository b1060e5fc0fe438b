"""The feature pass on two cores: the fold's types in two halves, folded side by side.

A pass over a large tree is bound by one core: decoding and counting the entries take
longer than reading them. The types the fold reads split into two halves that share no
map and no counter (:meth:`~credit.features.fold.Fold.absorb` says why that is exact):

- :data:`FIRST`, folded here: registrations, orders, reviews, disputes, shipments,
  customs, goods and stock (the order, shipment and lot maps tie them together);
- :data:`SECOND`, folded by a worker process: payments, invoices, applications, credit
  lines, loans, receipts and the answers to claims.

Each side reads its own types' rows of the same tree (entries below the tree size never
change, so both read the same rows whatever is appended meanwhile), and the worker's fold,
sent back whole, is absorbed into this one: the vectors are bit for bit those of one fold
over all the rows.

The worker is one process kept for the life of this one (``python -m
credit.features.half_worker``, a clean interpreter: never a fork of a threaded server, and it
never runs the caller's main module), started at the first large pass; it starts while the
first half is being folded. It takes one pass at a time on its standard input and answers
each on its standard output (pickles, between this process and its own child alone); it
opens the database for each pass and closes it after, so it holds no connection between
passes, and it ends when this process does (its input closes). A pass that finds the worker
gone or failing folds the worker's half itself; one that finds it busy with another
thread's pass folds every type in one fold, as a small pass does. A small tree,
a pass over a few participants, an in-memory database or a single core stay in one
process: there the worker's start and the fold's transfer cost more than they save.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import logging
import os
import pickle
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.engine import make_url

from credit.features import fold_finance
from credit.features.fold import ANSWER_TYPES, TYPES, Fold
from credit.features.rows import fetch
from ledger.log import Ledger

SECOND = frozenset(fold_finance.HANDLERS) | {"invoice.issued"} | ANSWER_TYPES
"""The types the worker folds (every answer among them: see :meth:`Fold.absorb`)."""
FIRST = TYPES - SECOND
"""The types folded in the calling process."""
MIN_TREE = 200_000
"""Trees smaller than this are folded in one process (the worker's start and the transfer
of its fold cost about as much as half the fold of a tree this size)."""

_lock = threading.Lock()  # one pass at a time in the worker; held while it folds
_worker: subprocess.Popen[bytes] | None = None
_passes = itertools.count()  # each pass sent is numbered; an answer names the pass it answers
log = logging.getLogger(__name__)


def worth_it(url: str, tree_size: int) -> bool:
    """Whether a pass over all of a tree of ``tree_size`` entries at ``url`` is split."""
    if tree_size < MIN_TREE or _cores() < 2:
        return False
    parsed = make_url(url)
    return parsed.get_backend_name() != "sqlite" or parsed.database not in (None, "", ":memory:")


def worker_pid() -> int | None:
    """The worker process's id while it runs (None before its start or after its end):
    for a caller that measures what it costs."""
    worker = _worker
    return worker.pid if worker is not None and worker.poll() is None else None


def _cores() -> int:
    """The cores this process may run on (all of the machine's where that is not known)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def fold_tree(url: str, connection: Connection, tree_size: int, at: datetime) -> Fold:
    """The fold of every entry below ``tree_size`` the pass reads, on two cores: the second
    half in the worker (reading ``url`` itself), the first here on ``connection``."""
    if not _lock.acquire(blocking=False):  # another thread's pass has the worker: one fold
        return _fold(connection, tree_size, at, TYPES)
    try:
        sent = _send(_absolute(url), tree_size, at)
        try:
            fold = _fold(connection, tree_size, at, FIRST)
        except BaseException:
            _stop()  # its answer to this pass must not wait in the pipe for the next
            raise
        theirs = _receive(sent)
        if theirs is None:  # the worker failed or is gone: fold its half here
            theirs = _fold(connection, tree_size, at, SECOND, defer=True)
        return fold.absorb(theirs)
    finally:
        _lock.release()


def fold_second(url: str, tree_size: int, at: datetime) -> Fold:
    """The worker's part: the fold of the tree's :data:`SECOND` types, keeping the answers
    it could not place for the fold that follows their claims."""
    with Ledger.open(url, read_only=True, signature_threads=1) as ledger, ledger.reading() as c:
        return _fold(c, tree_size, at, SECOND, defer=True)


def _fold(
    connection: Connection, size: int, at: datetime, types: frozenset[str], defer: bool = False
) -> Fold:
    return Fold(at, defer_answers=defer).feed_all(fetch(connection, size, None, types))


def _send(url: str, tree_size: int, at: datetime) -> tuple[subprocess.Popen[bytes], int] | None:
    """The pass handed to the worker (started first if it is not running) and its number;
    None when it cannot be (the caller folds both halves then)."""
    global _worker
    try:
        if _worker is None or _worker.poll() is not None:
            _stop()  # a worker that ended: its pipes closed
            _worker = subprocess.Popen(
                [sys.executable, "-m", "credit.features.half_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                close_fds=True,
                env=_worker_env(),
            )
        assert _worker.stdin is not None
        number = next(_passes)
        pickle.dump((number, url, tree_size, at), _worker.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        _worker.stdin.flush()
        return _worker, number
    except OSError:
        _stop()
        return None


def _worker_env() -> dict[str, str]:
    """This process's environment, with the folder holding this package first on the
    worker's path: it imports this code, whether installed or run from a checkout."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def _receive(sent: tuple[subprocess.Popen[bytes], int] | None) -> Fold | None:
    """The worker's fold for the pass ``sent``, or None (and the worker stopped unless it
    only reported a failure) when there is none."""
    if sent is None or sent[0].stdout is None:
        return None
    answers, sent_number = sent[0].stdout, sent[1]
    try:
        number, status, value = pickle.load(answers)
    except Exception:  # it died, or its answer is cut short: fold the half here
        _stop()
        return None
    if number != sent_number:  # an answer to another pass (never expected): start afresh
        _stop()
        return None
    if status != "ok":
        log.warning("the feature pass's worker failed (its half folded here): %s", value)
        return None
    fold: Fold = value
    return fold


def _stop(kill: bool = True) -> None:
    """The worker ended (killed, or asked to end by closing its input) and its pipes
    closed; at this process's exit it is asked."""
    global _worker
    worker, _worker = _worker, None
    if worker is None:
        return
    if kill:
        worker.kill()
    for pipe in (worker.stdin, worker.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


atexit.register(_stop, kill=False)


def _absolute(url: str) -> str:
    """``url`` with an SQLite file's path made absolute: the worker's working directory is
    the caller's at the worker's start, not necessarily the caller's now."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return url
    resolved = parsed.set(database=str(Path(parsed.database).resolve()))
    return resolved.render_as_string(hide_password=False)
