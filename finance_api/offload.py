"""Blocking work of the hottest routes off the event loop, through a small pool of our own.

``run_in_threadpool`` goes through anyio's ``to_thread.run_sync`` (capacity limiter,
cancel scope, its own worker bookkeeping): about 90–210 µs a hop on this machine, against
50–65 µs for ``loop.run_in_executor`` on a plain :class:`ThreadPoolExecutor` (both measured
in-process under uvloop). A request of the authenticated routes hops at least once (the
key's revocation read), so the hop is a large part of what they cost. The work still runs
off the loop; only the bookkeeping is cheaper. The context is copied, as anyio does.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")
WORK_THREADS = 8  # as many as the app gives anyio (finance_api.app.WORKER_THREADS)
QUICK_THREADS = {"sqlite": 1}  # by database; any other (a server across a socket): below
QUICK_THREADS_SERVER = 4
# (pool name, threads): a pool per size, so resizing never shrinks a pool in use
_quick = ("quick-1", 1)

_pools: dict[str, ThreadPoolExecutor] = {}
_lock = threading.Lock()


def _executor(name: str, threads: int) -> ThreadPoolExecutor:
    pool = _pools.get(name)
    if pool is None:
        with _lock:
            pool = _pools.get(name)
            if pool is None:
                pool = _pools[name] = ThreadPoolExecutor(threads, f"threeflow-{name}")
    return pool


async def _run(pool: ThreadPoolExecutor, func: Callable[..., T], *args: object) -> T:
    context = contextvars.copy_context()
    call = functools.partial(context.run, func, *args)
    return await asyncio.get_running_loop().run_in_executor(pool, call)


async def offload(func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``func`` in a worker thread and await its result (its exception is raised here)."""
    return await _run(_executor("work", WORK_THREADS), functools.partial(func, *args, **kwargs))


def use_database(dialect: str) -> None:
    """Sizes the quick pool for the app's database (``create_app`` calls it).

    SQLite answers in process: threads would only take turns at the GIL. A database server
    answers across a socket, and a thread waiting for it holds no GIL, so a few overlap
    their round trips (``bench_http --size 20000 --backend postgresql``, fresh inclusion
    proofs at 32 connections, one run each on a quiet machine: 18 % of the trivial
    endpoint on one thread, 29 % on four, 33 % on eight).
    """
    global _quick
    threads = QUICK_THREADS.get(dialect, QUICK_THREADS_SERVER)
    _quick = (f"quick-{threads}", threads)


def quick_pool() -> tuple[ThreadPoolExecutor, int]:
    """The quick pool sized for the app's database, and its threads (for
    :mod:`finance_api.groups`, which queues its own work on it)."""
    return _executor(*_quick), _quick[1]


async def quick(func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Like :func:`offload`, for reads of well under a millisecond (a key's revocation, a
    proof, the head): a small pool of their own (one thread on SQLite, see
    :func:`use_database`). Threads taking turns at the GIL for such small pieces of work
    switch more than they work (measured with bench_http on SQLite: fresh proofs 1,524
    req/s and p99 167 ms on two threads, 1,778 and 22 ms on one), and long work (scoring,
    appends) on the other pool never makes them wait."""
    pool = _executor(*_quick)
    return await _run(pool, functools.partial(func, *args, **kwargs))
