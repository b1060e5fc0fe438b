"""SQLite writers checkpoint the WAL every 10,000 pages, not SQLite's 1,000 (see
``ledger/storage/db.py``); readers keep the default and their mapped file."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from ledger.storage.db import WAL_AUTOCHECKPOINT_PAGES, make_engines


def test_writers_checkpoint_the_wal_less_often_than_readers(tmp_path: Path) -> None:
    engines = make_engines(f"sqlite:///{tmp_path / 'pragmas.db'}")
    try:
        with engines.write.connect() as writer, engines.read.connect() as reader:
            pragma = text("PRAGMA wal_autocheckpoint")
            assert writer.execute(pragma).scalar() == WAL_AUTOCHECKPOINT_PAGES == 10_000
            assert reader.execute(pragma).scalar() == 1000
            assert writer.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        engines.dispose()
