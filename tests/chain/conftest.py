"""Starts anvil from contracts/node_modules on a free loopback port, once per xdist worker.

anvil is the real node the contracts will meet on a testnet, so the access rules are
proven there rather than only in py-evm. In CI (``CI=true``) a missing or broken anvil
fails the run instead of skipping it: a chain test that silently skips proves nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from eth_typing import ChecksumAddress

from finance_api.receipts_chain.client import ReceiptRegistryClient
from ledger.anchoring import Chain, ChainUnavailable, LedgerAnchorClient
from ledger.anchoring.devnode import AnvilNode


def unavailable(reason: str) -> None:
    """Skips locally, fails in CI."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: chain tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def anvil_url() -> Iterator[str]:
    """URL of an anvil node for this worker (each xdist worker starts its own)."""
    node = AnvilNode()
    try:
        url = node.start()
    except ChainUnavailable as exc:
        unavailable(f"{exc}; run `make contracts` (npm ci in contracts/)")
        raise  # unreachable: unavailable() always raises
    try:
        yield url
    finally:
        node.stop()


@pytest.fixture(scope="session")
def chain(anvil_url: str) -> Chain:
    return Chain.connect(anvil_url)


@pytest.fixture(scope="session")
def accounts(chain: Chain) -> list[ChecksumAddress]:
    """anvil's ten funded, unlocked development accounts."""
    return chain.dev_accounts()


@pytest.fixture
def anchors(chain: Chain, accounts: list[ChecksumAddress]) -> LedgerAnchorClient:
    """A fresh LedgerAnchor owned by accounts[0], so tests never share state."""
    return LedgerAnchorClient.deploy(chain, sender=accounts[0])


@pytest.fixture
def registry(chain: Chain, accounts: list[ChecksumAddress]) -> ReceiptRegistryClient:
    """A fresh registry owned by accounts[0] with accounts[1] admitted as a warehouse."""
    client = ReceiptRegistryClient.deploy(chain, sender=accounts[0])
    chain.wait(client.admit_warehouse(accounts[1], sender=accounts[0]))
    return client
