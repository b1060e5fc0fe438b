"""Fixtures for the credit tests: synthetic credit data with a known generating model.

No public data set can be downloaded here, so the data are drawn from a logistic model
whose true PD is known: numeric and categorical features with signal, pure-noise features,
and missing values injected after the outcome was drawn.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from threadpoolctl import threadpool_limits

from tests.credit.ledgers import SimLedger, simulate_into
from tests.credit.synthetic import CreditData, make_credit_data
from tests.ledger.conftest import postgres_store, sqlite_store  # noqa: F401  (fixtures)
from tests.ledger.stores import Store


@pytest.fixture(autouse=True, scope="session")
def _one_thread_each() -> Iterator[None]:
    """One OpenMP/BLAS thread per test process: two xdist workers on two cores would
    otherwise spin against each other and make tiny boosting fits take seconds."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="session")
def train() -> CreditData:
    return make_credit_data(6000, seed=1)


@pytest.fixture(scope="session")
def test_data() -> CreditData:
    return make_credit_data(6000, seed=2)


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def credit_store(request: pytest.FixtureRequest) -> Store:
    store: Store = request.getfixturevalue(f"{request.param}_store")
    return store


@pytest.fixture(scope="session")
def sim_ledger(
    credit_store: Store, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SimLedger]:
    """A small simulated world's ledger on each backend (built once per session)."""
    url = credit_store.new_url()
    yield simulate_into(url, tmp_path_factory.mktemp(f"truth-{credit_store.backend}"))
    credit_store.drop(url)
