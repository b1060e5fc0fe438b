"""Starts anvil from contracts/node_modules on a free loopback port, once per xdist worker.

anvil is the real node the contracts will meet on a testnet, so the access rules are
proven there rather than only in py-evm. In CI (``CI=true``) a missing or broken anvil
fails the run instead of skipping it: a chain test that silently skips proves nothing.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_typing import ChecksumAddress

from ledger.anchoring import Chain, LedgerAnchorClient, ReceiptRegistryClient

REPO = Path(__file__).resolve().parents[2]
CONTRACTS = REPO / "contracts"
ANVIL = CONTRACTS / "node_modules" / ".bin" / "anvil"
START_TIMEOUT = 20.0


def unavailable(reason: str) -> None:
    """Skips locally, fails in CI."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: chain tests must run)")
    pytest.skip(reason)


def free_port() -> int:
    """A port the kernel just handed out on loopback; anvil binds it right after."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(url: str) -> bool:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
    request = urllib.request.Request(
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=1.0) as response:
            return "result" in json.loads(response.read())
    except (OSError, urllib.error.URLError, ValueError):
        return False


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stops anvil and the node wrapper around it: the process group we started."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def start_anvil() -> tuple[subprocess.Popen[bytes], str]:
    """Starts anvil; retries on a new port if another process took the one we picked."""
    last_error = ""
    for _attempt in range(3):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen(
            [str(ANVIL), "--host", "127.0.0.1", "--port", str(port), "--silent"],
            cwd=CONTRACTS,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None:
            if answers(url):
                return proc, url
            time.sleep(0.05)
        stop(proc)
        last_error = (proc.stderr.read() if proc.stderr else b"").decode(errors="replace")
    raise RuntimeError(f"anvil did not answer: {last_error.strip()[:500]}")


@pytest.fixture(scope="session")
def anvil_url() -> Iterator[str]:
    """URL of an anvil node for this worker, stopped when the session ends."""
    if not ANVIL.exists():
        unavailable(f"{ANVIL} missing: run `make contracts` (npm ci in contracts/)")
    try:
        proc, url = start_anvil()
    except (OSError, RuntimeError) as exc:
        unavailable(f"anvil could not start: {exc}")
        raise  # unreachable: unavailable() always raises
    try:
        yield url
    finally:
        stop(proc)


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
