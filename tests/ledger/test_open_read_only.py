"""A reader never turns a mistyped path into an empty ledger."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.core.errors import NotFound
from ledger.log import Ledger


def test_a_reader_refuses_a_missing_sqlite_file_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "ledger.db"
    with pytest.raises(NotFound, match="no ledger database at"):
        Ledger.open(f"sqlite:///{missing}", read_only=True)
    assert not missing.parent.exists()


def test_a_reader_opens_an_existing_ledger(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Ledger.open(url, key_file=tmp_path / "ledger.key") as writer:
        written, origin = writer.size(), writer.origin
    with Ledger.open(url, read_only=True) as ledger:
        assert (ledger.size(), ledger.origin) == (written, origin)
