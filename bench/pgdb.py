"""Throwaway PostgreSQL databases for the benchmarks: created per run, always dropped."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

SERVER = os.environ.get("THREEFLOW_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def available() -> bool:
    try:
        with psycopg.connect(SERVER, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@contextmanager
def scratch_database(purpose: str) -> Iterator[str]:
    """Yield the URL of a fresh database ``threeflow_bench_<purpose>_<pid>``; drop it after."""
    name = f"threeflow_bench_{purpose}_{os.getpid()}"
    base, _, _ = SERVER.rpartition("/")
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(SERVER, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
