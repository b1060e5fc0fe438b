"""Throwaway databases for the storage suite: SQLite files and PostgreSQL databases.

Every database gets a name unique to this run and worker (other engineers run the suite
on the same server at the same time), is created empty or as a copy of another one, and
is dropped when the test that asked for it ends. PostgreSQL copies use ``CREATE DATABASE
... TEMPLATE``, SQLite copies the online backup API, so a test can start from a ledger
built once per session and tamper with it freely.
"""

from __future__ import annotations

import os
import queue
import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any, Protocol

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

PG_ADMIN_URL = os.environ.get(
    "THREEFLOW_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def unique_name(prefix: str = "tfl") -> str:
    """A database name no other run or worker can pick (63 bytes at most for PostgreSQL)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"{prefix}_{worker}_{os.getpid()}_{uuid.uuid4().hex[:10]}"


class Store(Protocol):
    backend: str

    def new_url(self) -> str: ...

    def clone(self, url: str) -> str: ...

    def drop(self, url: str) -> None: ...

    def close(self) -> None: ...


class SqliteStore:
    backend = "sqlite"

    def __init__(self, directory: Path) -> None:
        self._directory = directory

    def new_url(self) -> str:
        return f"sqlite:///{self._directory / (unique_name() + '.db')}"

    def clone(self, url: str) -> str:
        target = self.new_url()
        source = sqlite3.connect(self.path(url))
        destination = sqlite3.connect(self.path(target))
        try:
            source.backup(destination)
        finally:
            source.close()
            destination.close()
        return target

    def drop(self, url: str) -> None:
        path = self.path(url)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)

    def close(self) -> None:
        pass

    @staticmethod
    def path(url: str) -> Path:
        database = make_url(url).database
        assert database is not None
        return Path(database)


class PgStore:
    """Databases on the PostgreSQL server; dropped by a background thread.

    ``DROP DATABASE`` forces a server checkpoint (a second or more when the server is
    busy), so drops are queued and run beside the next tests; :meth:`close` waits for them.
    """

    backend = "postgres"

    def __init__(self, admin_url: str = PG_ADMIN_URL) -> None:
        self._admin_url = admin_url
        self._admin: psycopg.Connection[Any] = psycopg.connect(
            admin_url, autocommit=True, connect_timeout=3
        )
        self._created: set[str] = set()
        self._drops: queue.Queue[str | None] = queue.Queue()
        self._dropper = threading.Thread(target=self._drop_queued, daemon=True)
        self._dropper.start()

    @property
    def admin_url(self) -> str:
        return self._admin_url

    def url_for(self, name: str) -> str:
        return make_url(self._admin_url).set(database=name).render_as_string(hide_password=False)

    def new_url(self) -> str:
        name = unique_name()
        self._admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self._created.add(name)
        return self.url_for(name)

    def clone(self, url: str) -> str:
        template = self._name(url)
        self._terminate(template)  # a template must have no other sessions
        name = unique_name()
        self._admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
        self._created.add(name)
        return self.url_for(name)

    def drop(self, url: str) -> None:
        name = self._name(url)
        self._created.discard(name)
        self._drops.put(name)

    def close(self) -> None:
        for name in list(self._created):
            self.drop(self.url_for(name))
        self._drops.put(None)
        self._dropper.join()
        self._admin.close()

    def _drop_queued(self) -> None:
        with psycopg.connect(self._admin_url, autocommit=True) as admin:
            while (name := self._drops.get()) is not None:
                _terminate(admin, name)
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )

    def _terminate(self, name: str) -> None:
        _terminate(self._admin, name)

    @staticmethod
    def _name(url: str) -> str:
        database = make_url(url).database
        assert database is not None
        return database


def _terminate(admin: psycopg.Connection[Any], name: str) -> None:
    """End every other session on database ``name`` (a template or a database to drop)."""
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        (name,),
    )
