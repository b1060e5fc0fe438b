"""Engines for the two supported stores and the migrations that shape them.

SQLite (WAL) is the embedded default: writers take the database's write lock up front with
``BEGIN IMMEDIATE`` so two appenders can never both read the same tip; readers use plain
deferred transactions and are never blocked by WAL writers. PostgreSQL serialises appends
with ``SELECT ... FOR UPDATE`` on the head row instead (see :mod:`ledger.storage.appender`).

A read transaction sees one state of the ledger on both stores: a WAL reader keeps the
snapshot of its first read, and PostgreSQL reads run at ``REPEATABLE READ``, so a verifier
or an export that reads head, keys and entries in several queries never mixes two states
while appends go on. PostgreSQL sessions run in UTC whatever the server's time zone.
"""

from __future__ import annotations

import fcntl
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from ledger.core.errors import NotFound

MIGRATIONS = Path(__file__).with_name("migrations")
READ_POOL = 40
WRITE_POOL = 4  # writers queue for one lock: a few warm connections are enough
MMAP_BYTES = 1 << 30
# A writer copies the WAL back into the database file (and syncs it) once the WAL holds this
# many pages, inside the commit that crossed it. SQLite's default, 1,000 pages, made most
# commits of a 500-event batch a checkpoint that rewrote the same hot index pages again: a
# simulation's commits cost 20 µs of CPU and 70 µs of wall an event, 13 and 28 at 20,000.
# Durability is unchanged (a commit is in the WAL); the WAL grows to about 40 MB.
WAL_AUTOCHECKPOINT_PAGES = 10_000
_MIGRATION_LOCK = 0x7468726565666C6F  # "threeflo": the advisory lock of schema upgrades


@dataclass(frozen=True, slots=True)
class Engines:
    """A write engine (serialising) and a read engine (snapshot reads).

    On PostgreSQL both share one connection pool; the read engine sets ``REPEATABLE READ``
    on the connections it checks out.
    """

    url: str
    write: Engine
    read: Engine
    # PostgreSQL: autocommit sessions whose commits do not wait for their WAL flush, for
    # rows no ledger entry depends on (see :mod:`ledger.trust.read_log`); None on SQLite,
    # which commits every transaction so already (WAL, ``synchronous=NORMAL``)
    unflushed: Engine | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.write.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.write.dispose()
        if self.read is not self.write:
            self.read.dispose()
        if self.unflushed is not None:
            self.unflushed.dispose()


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and pick the psycopg 3 driver for it."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    # Readers keep a connection for each of the server's worker threads (anyio runs up to 40):
    # a pool smaller than that closes its overflow connections after every use, and opening a
    # SQLite connection (with its PRAGMAs) costs more than the query it serves. Writers take
    # turns at BEGIN IMMEDIATE, so a few kept connections serve them: a fresh one per unit
    # of work cost about 0.8 ms, a fifth of a single append.
    engine = (
        create_engine(url, pool_size=WRITE_POOL, max_overflow=READ_POOL, pool_use_lifo=True)
        if immediate
        else create_engine(url, pool_size=READ_POOL, max_overflow=READ_POOL, pool_use_lifo=True)
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA foreign_keys=ON")
        if immediate:
            cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
        else:
            # Readers map the file: pages are shared through the OS instead of each
            # connection keeping (and refilling) a private cache of its own.
            cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        cursor.close()

    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # on the driver's own connection: through SQLAlchemy's execution (events, a
        # context, a result) the BEGIN of every transaction cost more than its reads.
        # A failure is raised as SQLAlchemy would have raised it (a locked or read-only
        # file is an OperationalError to every caller, as before).
        try:
            connection.connection.dbapi_connection.execute(begin)
        except sqlite3.Error as error:
            raise DBAPIError.instance(begin, None, error, sqlite3.Error) from error

    return engine


def make_engines(url: str, *, must_exist: bool = False) -> Engines:
    """Engines for ``url``; ``must_exist`` refuses an SQLite file that is not there (a reader
    must never make an empty ledger out of a mistyped path)."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        name = parsed.database
        if must_exist and name not in (None, "", ":memory:") and not Path(str(name)).exists():
            raise NotFound(f"no ledger database at {name}", field="db")
        return Engines(
            url, _sqlite_engine(url, immediate=True), _sqlite_engine(url, immediate=False)
        )
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql" and "options" not in parsed.query:
        # Timestamps come back in the session's zone; west of UTC the operator key's
        # valid_from (year 1, UTC) would fall before year 1 and fail to load.
        connect_args["options"] = "-c timezone=UTC"
    engine = create_engine(
        url, pool_pre_ping=True, pool_size=16, max_overflow=24, connect_args=connect_args
    )
    unflushed = None
    if "options" in connect_args:  # (a URL naming its own options keeps them, and flushes)
        unflushed = create_engine(
            url, pool_pre_ping=True, pool_size=2, max_overflow=4, isolation_level="AUTOCOMMIT",
            connect_args={"options": connect_args["options"] + " -c synchronous_commit=off"},
        )  # fmt: skip
    return Engines(
        url, engine, engine.execution_options(isolation_level="REPEATABLE READ"), unflushed
    )


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engines: Engines) -> None:
    """Bring the schema to the newest revision (idempotent, safe to run concurrently).

    A schema already at the newest revision is only read, so opening a ledger never waits
    for a writer's lock (SQLite's ``BEGIN IMMEDIATE`` is held for a whole batch). Upgrades
    are serialised: by that same lock on SQLite, by an advisory lock on PostgreSQL, where
    processes opening a new database at once would otherwise all create the tables.
    """
    parsed = make_url(engines.url)
    lock_path = None
    if engines.is_sqlite and parsed.database and parsed.database != ":memory:":
        # only a ledger being opened makes its directory: verifying a mistyped path must not
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        lock_path = Path(parsed.database + ".migrate-lock")
    config = alembic_config(engines.url)
    heads = set(ScriptDirectory.from_config(config).get_heads())
    if _at_heads(engines, heads):
        return
    with _file_lock(lock_path):
        if lock_path is not None and _at_heads(engines, heads):
            return  # another process upgraded it while this one waited
        _upgrade(engines, config)


def _at_heads(engines: Engines, heads: set[str]) -> bool:
    with engines.read.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads


@contextmanager
def _file_lock(path: Path | None) -> Iterator[None]:
    """An exclusive lock on a file beside a SQLite ledger while it is upgraded: processes
    opening a new ledger at once then upgrade one after the other, whatever the journal
    mode the file was in when they raced to create it (BEGIN IMMEDIATE alone let two
    processes each see a fresh file under load)."""
    if path is None:
        yield
        return
    with path.open("a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _upgrade(engines: Engines, config: Config) -> None:
    with engines.write.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")  # features add migrations side by side
        connection.commit()
