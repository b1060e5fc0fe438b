"""The storage fixtures of tests/ledger (SQLite and PostgreSQL), reused by lending tests."""

from tests.ledger.conftest import (  # noqa: F401
    _registered_module_copy,
    _registered_snapshot,
    ledger,
    ledger_url,
    postgres_store,
    registered,
    registered_template,
    registered_url,
    sqlite_store,
    store,
)
