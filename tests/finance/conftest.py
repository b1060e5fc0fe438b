"""Storage fixtures of the finance suite: every storage test on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger.log import Ledger
from tests.finance.desk import Desk, register
from tests.ledger.conftest import ledger_url, postgres_store, sqlite_store, store  # noqa: F401
from tests.ledger.scenario import open_ledger


@pytest.fixture
def desk(ledger_url: str) -> Iterator[Desk]:  # noqa: F811
    with open_ledger(ledger_url) as ledger:
        register(ledger)
        yield Desk(ledger, ledger_url)


@pytest.fixture
def opened(desk: Desk) -> Ledger:
    return desk.ledger
