"""The ledger's own signing key on disk: created once, readable only by its owner."""

from __future__ import annotations

import os
from pathlib import Path

from ledger.core.errors import LedgerError
from ledger.core.keys import SigningKey


def load_or_create(path: Path) -> SigningKey:
    if path.exists():
        return load(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = SigningKey.generate()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.seed.hex() + "\n")
    return key


def load(path: Path) -> SigningKey:
    try:
        return SigningKey.from_hex(path.read_text())
    except OSError as exc:
        raise LedgerError(f"cannot read the ledger key file {path}: {exc.strerror}") from exc
