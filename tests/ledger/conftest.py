"""Fixtures of the storage suite: every test runs on SQLite and on PostgreSQL.

``ledger_url`` is an empty database of its own; ``base`` is a ledger built once per
session and backend, and ``base_copy`` the same ledger to tamper with. Databases are
created per test or per module and dropped after (on PostgreSQL: sessions terminated
first, then dropped beside the next tests, since each drop forces a server checkpoint).
Tests that tamper share one copy per module, put back from a snapshot before each test.

An unreachable PostgreSQL skips those tests locally and fails them in CI (``CI=true``):
a storage test that silently skips proves nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace

import psycopg
import pytest

from finance_api import demo_scenario
from ledger.log import Ledger
from tests.ledger.rewrite import Snapshot
from tests.ledger.scenario import Base, build_base, open_ledger
from tests.ledger.stores import PG_ADMIN_URL, PgStore, SqliteStore, Store

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def unavailable(reason: str) -> None:
    """Skips locally, fails in CI."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: PostgreSQL tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def sqlite_store(tmp_path_factory: pytest.TempPathFactory) -> SqliteStore:
    return SqliteStore(tmp_path_factory.mktemp("ledgers"))


@pytest.fixture(scope="session")
def postgres_store() -> Iterator[PgStore]:
    try:
        store = PgStore()
    except psycopg.OperationalError as exc:
        unavailable(f"PostgreSQL is unreachable at {PG_ADMIN_URL}: {exc}")
        raise  # unreachable: unavailable() always raises
    yield store
    store.close()


@pytest.fixture(scope="session", params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Store:
    backend: Store = request.getfixturevalue(f"{request.param}_store")
    return backend


@pytest.fixture
def ledger_url(store: Store) -> Iterator[str]:
    """An empty database of its own on each backend."""
    url = store.new_url()
    yield url
    store.drop(url)


@pytest.fixture
def ledger(ledger_url: str) -> Iterator[Ledger]:
    """A fresh ledger (two operator entries) with no participants yet."""
    with open_ledger(ledger_url) as opened:
        yield opened


@pytest.fixture(scope="session")
def registered_template(store: Store) -> str:
    """A ledger with the demo participants registered and nothing else. Never opened again."""
    url = store.new_url()
    with open_ledger(url) as ledger:
        demo_scenario.register(ledger)
    return url


@pytest.fixture(scope="module")
def _registered_module_copy(store: Store, registered_template: str) -> Iterator[str]:
    url = store.clone(registered_template)
    yield url
    store.drop(url)


@pytest.fixture(scope="session")
def _registered_snapshot(registered_template: str) -> Snapshot:
    return Snapshot.take(registered_template)


@pytest.fixture
def registered_url(_registered_module_copy: str, _registered_snapshot: Snapshot) -> str:
    """The registered ledger (14 entries, no checkpoint) as it was, in this module's copy."""
    _registered_snapshot.restore(_registered_module_copy)
    return _registered_module_copy


@pytest.fixture(scope="module")
def registered(store: Store, registered_template: str) -> Iterator[Ledger]:
    """A ledger of this module holding the demo participants (14 entries at first).

    Shared by the tests of one module (a database per test costs a third of a second on
    PostgreSQL): they use event ids of their own and assert sizes relative to the start.
    """
    url = store.clone(registered_template)
    with open_ledger(url) as opened:
        yield opened
    store.drop(url)


@pytest.fixture(scope="session")
def base(store: Store) -> Base:
    """The shared ledger of :func:`build_base`. Tests must only read it."""
    return build_base(store.new_url())


@pytest.fixture(scope="module")
def _base_module_copy(store: Store, base: Base) -> Iterator[str]:
    url = store.clone(base.url)
    yield url
    store.drop(url)


@pytest.fixture(scope="session")
def _base_snapshot(base: Base) -> Snapshot:
    return Snapshot.take(base.url)


@pytest.fixture
def base_copy(base: Base, _base_module_copy: str, _base_snapshot: Snapshot) -> Base:
    """The base ledger as built, in this module's copy: append to it or tamper with it."""
    _base_snapshot.restore(_base_module_copy)
    return replace(base, url=_base_module_copy)
