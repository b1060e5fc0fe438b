"""Child-process code for the EPCIS crash test: capture, and hang at the commit point."""

from __future__ import annotations

import time
from typing import Any

from ledger.storage.unit_of_work import UnitOfWork
from ledger.traceability.capture import capture
from tests.ledger.scenario import open_ledger


def capture_and_hang(url: str, document: bytes, inside: Any) -> None:
    """Capture a document; once its entries and index rows are written, wait to be killed."""
    original = UnitOfWork.commit

    def hang(self: UnitOfWork) -> None:
        inside.set()
        time.sleep(120)
        original(self)

    UnitOfWork.commit = hang  # type: ignore[method-assign]
    with open_ledger(url) as ledger:
        capture(ledger, document, "application/ld+json", "shop-1")
