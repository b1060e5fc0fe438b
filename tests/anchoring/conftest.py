"""Anchoring fixtures: the chain suite's anvil node (one per xdist worker) and ledgers.

Each test gets a fresh SQLite ledger, a fresh funded anchorer key and a fresh
``LedgerAnchor`` contract, so tests share nothing but the node. In CI (``CI=true``) a
missing anvil fails the run (see :mod:`tests.chain.conftest`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from ledger.anchoring import Chain, LedgerAnchorClient
from ledger.anchoring.cli import deploy_for
from ledger.anchoring.service import AnchorService
from ledger.anchoring.settings import AnchorSettings
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from tests.anchoring.anvil_tools import floor_node
from tests.chain.conftest import accounts, anvil_url, chain  # noqa: F401  (fixtures)
from tests.ledger.conftest import (  # noqa: F401  (fixtures: SQLite and PostgreSQL databases)
    ledger_url,
    postgres_store,
    sqlite_store,
    store,
)
from tests.ledger.scenario import NOW, open_ledger

SETTINGS = AnchorSettings(rpc_url="unused", confirmations=3, every_entries=4, every_seconds=60)


def grow(ledger: Ledger, participants: int, tag: str = "p") -> None:
    """Appends two operator entries per participant registered."""
    start = ledger.size()
    for i in range(participants):
        pid = f"{tag}-{start}-{i}"
        key = SigningKey(hashlib.sha256(pid.encode()).digest())
        ledger.register_participant(pid, f"Company {pid}", ["seller"], "NL", key.public_key, NOW)


def new_ledger(path: Path) -> Ledger:
    return open_ledger(f"sqlite:///{path}")


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with new_ledger(tmp_path / "ledger.db") as opened:
        yield opened


@pytest.fixture
def anchorer() -> LocalAccount:
    account: LocalAccount = Account.create()
    return account


@pytest.fixture
def client(chain: Chain, ledger: Ledger, anchorer: LocalAccount) -> LedgerAnchorClient:  # noqa: F811
    return deploy_for(chain, ledger, anchorer)


@pytest.fixture
def service(
    ledger: Ledger,
    chain: Chain,  # noqa: F811
    client: LedgerAnchorClient,
    anchorer: LocalAccount,
) -> AnchorService:
    return AnchorService(ledger, chain, client, anchorer, SETTINGS)


@pytest.fixture(scope="session")
def floor_url() -> Iterator[str]:
    """A node of the fee-floor tests' own (see :func:`tests.anchoring.anvil_tools.floor_node`)."""
    with floor_node() as url:
        yield url


@pytest.fixture
def floor_chain(floor_url: str) -> Chain:
    return Chain.connect(floor_url)
