"""Pausing the cyclic garbage collector around a bulk call whose objects die by refcount.

A capture of a 1,000-event document holds every event's dicts, drafts, events and rows
until it returns, and frees them by reference counting: they form no cycles. While they
live, the collector's young collections walk them again and again, promote them, and the
promoted mass sets off full collections, each of which walks the whole heap (with the
application's modules, schemas and models loaded, 60-90 ms on this machine: about 30 µs of
every captured event's CPU, measured in ``bench.bench_capture``). Paused for the call, none
of that runs, and nothing is left behind for later: what the call freed by refcount never
reaches the collector, and the first collection after the pause sees whatever cyclic
garbage the call made (an exception's traceback, say), which a bounded call keeps small.

The pause is shared: concurrent or nested callers count in and out under a lock, the
collector is turned off by the first only if it was on, and turned back on by the last
only if the pause turned it off. A process that disabled the collector itself keeps it off.

The pause is bounded: captures that overlap without end (a server under a steady stream of
them) would otherwise keep the collector off for good, and the other threads' cyclic
garbage would pile up. A caller that leaves a pause which has lasted :data:`LONGEST`
seconds runs a full collection before it goes, and the pause counts afresh from there:
under such a stream the heap is walked about once a second, as the collector's own
thresholds walk it under load anyway.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

LONGEST = 1.0
"""Seconds a pause may last before a caller leaving it collects (see the module)."""

_lock = threading.Lock()
_holders = 0
_turned_off = False
_since = 0.0  # when the pause began, or was last collected in


@contextmanager
def collection_paused() -> Iterator[None]:
    """Run the block with automatic cyclic collection off (see the module's docstring)."""
    global _holders, _turned_off, _since
    with _lock:
        if _holders == 0:
            _turned_off = gc.isenabled()
            _since = time.monotonic()
            if _turned_off:
                gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _turned_off:
                _turned_off = False
                gc.enable()
            elif _holders and _turned_off and time.monotonic() - _since >= LONGEST:
                gc.collect()  # others are still inside: what piled up meanwhile goes now
                _since = time.monotonic()
