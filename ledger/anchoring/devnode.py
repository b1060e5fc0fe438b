"""A throw-away anvil node on a free loopback port, for tests, benchmarks and demos.

anvil comes from npm (``contracts/node_modules``, pinned with the contracts' compiler) so
there is no Foundry install step. The node is started in its own process group, because
the npm launcher is a node script that spawns the real binary: stopping the group stops
both, and nothing else.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType

from ledger.anchoring.errors import ChainUnavailable

_HERE = Path(__file__).resolve().parent


def find_anvil() -> Path | None:
    """The checkout's ``contracts/node_modules/.bin/anvil``, else ``anvil`` on PATH."""
    for parent in _HERE.parents:
        candidate = parent / "contracts" / "node_modules" / ".bin" / "anvil"
        if candidate.exists():
            return candidate
    found = shutil.which("anvil")
    return Path(found) if found else None


def free_port() -> int:
    """A port the kernel just handed out on loopback (bound to port 0, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(url: str, timeout: float = 1.0) -> bool:
    """Whether a JSON-RPC node at ``url`` answers ``eth_chainId``."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
    request = urllib.request.Request(
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return "result" in json.loads(response.read())
    except (OSError, ValueError):
        return False


class AnvilNode:
    """Starts anvil on a free port; usable as a context manager yielding the RPC URL."""

    def __init__(
        self,
        binary: Path | None = None,
        *,
        args: tuple[str, ...] = (),
        start_timeout: float = 20.0,
        attempts: int = 3,
    ) -> None:
        self.binary = binary
        self.args = args
        self.start_timeout = start_timeout
        self.attempts = attempts
        self.url = ""
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        """Starts the node and returns its URL once it answers; ChainUnavailable if not.

        Another process may take the port between our probe and anvil's bind, so a node
        that dies at start is retried on a fresh port.
        """
        binary = self.binary or find_anvil()
        if binary is None:
            raise ChainUnavailable("anvil not found: run `npm ci` in contracts/")
        last = ""
        for _ in range(self.attempts):
            url, last = self._attempt(binary)
            if url:
                self.url = url
                return url
        raise ChainUnavailable(f"anvil did not answer: {last.strip()[:500]}")

    def _attempt(self, binary: Path) -> tuple[str, str]:
        """One start on a fresh port: (url, "") if it answers, else ("", its stderr)."""
        url = f"http://127.0.0.1:{free_port()}"
        port = url.rsplit(":", 1)[1]
        # stderr goes to a file, not a pipe: a pipe nobody reads would block anvil; the
        # child keeps its own descriptor after ours is closed
        with tempfile.TemporaryFile() as log:
            try:
                proc = subprocess.Popen(
                    [str(binary), "--host", "127.0.0.1", "--port", port, *self.args],
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                    start_new_session=True,
                )
            except OSError as exc:
                raise ChainUnavailable(f"anvil could not be run: {exc}") from exc
            self._proc = proc
            deadline = time.monotonic() + self.start_timeout
            while time.monotonic() < deadline and proc.poll() is None:
                if answers(url):
                    return url, ""
                time.sleep(0.05)
            self.stop()
            log.seek(0)
            return "", log.read().decode(errors="replace")

    def stop(self) -> None:
        """Stops the process group this node was started in."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
