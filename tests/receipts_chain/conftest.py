"""Receipt-operation fixtures: the chain suite's anvil node (one per xdist worker).

Each test gets a fresh SQLite ledger (built by the migrations), a fresh registry owned
by anvil's first account, and fresh funded keys for the warehouse (admitted), the holder
and two lenders, so tests share nothing but the node. In CI (``CI=true``) a missing
anvil fails the run (see :mod:`tests.chain.conftest`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from web3.types import RPCEndpoint

from finance_api.receipts_chain.client import ReceiptRegistryClient
from finance_api.receipts_chain.service import ReceiptChainService, ReceiptChainSettings
from ledger.anchoring import Chain
from ledger.core.clock import FixedClock
from ledger.log import Ledger
from tests.chain.conftest import accounts, anvil_url, chain  # noqa: F401  (fixtures)
from tests.ledger.scenario import NOW, open_ledger

SETTINGS = ReceiptChainSettings(confirmations=3)


def rpc(chain: Chain, method: str, *params: Any) -> Any:  # noqa: F811
    return chain.w3.manager.request_blocking(RPCEndpoint(method), list(params))


def doc(tag: str) -> bytes:
    """The hash of a (made-up) receipt document."""
    return hashlib.sha256(f"warehouse receipt {tag}".encode()).digest()


@dataclass(frozen=True)
class Parties:
    warehouse: LocalAccount
    holder: LocalAccount
    lender: LocalAccount
    other_lender: LocalAccount


def new_key(chain: Chain) -> LocalAccount:  # noqa: F811
    account: LocalAccount = Account.create()
    rpc(chain, "anvil_setBalance", account.address, hex(10**20))
    return account


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with open_ledger(f"sqlite:///{tmp_path / 'receipts.db'}") as opened:
        yield opened


@pytest.fixture
def parties(chain: Chain) -> Parties:  # noqa: F811
    return Parties(new_key(chain), new_key(chain), new_key(chain), new_key(chain))


@pytest.fixture
def registry(
    chain: Chain,  # noqa: F811
    accounts: list[ChecksumAddress],  # noqa: F811
    parties: Parties,
) -> ReceiptRegistryClient:
    client = ReceiptRegistryClient.deploy(chain, sender=accounts[0])
    chain.wait(client.admit_warehouse(parties.warehouse.address, sender=accounts[0]))
    return client


@pytest.fixture
def service(
    ledger: Ledger,
    chain: Chain,  # noqa: F811
    registry: ReceiptRegistryClient,
) -> ReceiptChainService:
    return ReceiptChainService(ledger, chain, registry, clock=FixedClock(NOW), settings=SETTINGS)
