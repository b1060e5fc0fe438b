"""The background loop survives every failure of a tick, not only the node's."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from sqlalchemy.exc import OperationalError

from ledger.anchoring import Chain
from ledger.anchoring.cli import deploy_for
from ledger.anchoring.loop import AnchorLoop
from ledger.anchoring.service import AnchorService, PollResult
from ledger.anchoring.settings import AnchorSettings
from ledger.core.errors import LedgerError
from tests.anchoring.conftest import grow
from tests.ledger.scenario import open_ledger


@pytest.mark.parametrize(
    "failure",
    [OperationalError("UPDATE anchors", {}, Exception("database is locked")), LedgerError("x")],
)
def test_a_failed_tick_is_logged_and_the_next_one_anchors(
    tmp_path: Path, failure: Exception, monkeypatch: pytest.MonkeyPatch
) -> None:
    chain = Chain.in_process()
    account: LocalAccount = Account.create()
    settings = AnchorSettings(confirmations=1, every_entries=2, every_seconds=30)
    with open_ledger(f"sqlite:///{tmp_path / 'loop.db'}") as ledger:
        client = deploy_for(chain, ledger, account)
        service = AnchorService(ledger, chain, client, account, settings)
        grow(ledger, 2)
        real_poll = service.poll
        calls: list[int] = []

        def flaky_poll() -> PollResult:
            calls.append(1)
            if len(calls) == 1:
                raise failure
            return real_poll()

        monkeypatch.setattr(service, "poll", flaky_poll)
        loop = AnchorLoop(service, tick_seconds=0.01)
        stop = threading.Event()
        thread = threading.Thread(target=loop.run, args=(stop,), daemon=True)
        thread.start()
        for _ in range(500):
            if service.anchors():
                break
            stop.wait(0.01)
        stop.set()
        thread.join(timeout=5)
        assert len(calls) >= 2  # the loop went on after the failure...
        assert [a.tree_size for a in service.anchors()] == [ledger.size()]  # ...and anchored
