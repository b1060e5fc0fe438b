"""Signed tree heads as C2SP checkpoints in the signed-note text format.

A checkpoint is what an auditor pins history to: the ledger's origin, a tree size, the
RFC 9162 root at that size, and (our one extension line) ``timestamp <unix-seconds>``,
signed with the ledger's Ed25519 key. Using the C2SP formats (c2sp.org/tlog-checkpoint,
c2sp.org/signed-note) means witnesses and Go tooling (golang.org/x/mod/sumdb/note) can
read and cosign our checkpoints, and auditors pin our key as one verifier-key string.

Parsing is strict and total: every malformed input raises :class:`CheckpointError`, and
whatever parses renders back to the same text byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ledger.core.errors import CheckpointError
from ledger.core.hashing import HASH_SIZE
from ledger.core.keys import SigningKey
from ledger.core.note import (
    MAX_INT,
    NoteSignature,
    NoteVerifier,
    SignedNote,
    b64,
    b64decode,
    check_signatures,
    decimal,
    has_control,
    verifier_key,
)

__all__ = ["Checkpoint", "NoteVerifier", "SignedCheckpoint", "verifier_key"]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A tree head: origin, size, RFC 9162 root and the time it was cut (unix seconds)."""

    origin: str
    tree_size: int
    root_hash: bytes
    timestamp: int

    def __post_init__(self) -> None:
        if not isinstance(self.origin, str) or not self.origin.strip() or "\n" in self.origin:
            raise CheckpointError("origin must be one non-empty line", field="origin")
        if has_control(self.origin):
            raise CheckpointError("origin must not contain controls", field="origin")
        for name in ("tree_size", "timestamp"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INT:
                raise CheckpointError(f"{name} must be an int in [0, 2**63)", field=name)
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != HASH_SIZE:
            raise CheckpointError(f"root hash must be {HASH_SIZE} bytes", field="root_hash")

    def body(self) -> str:
        """The note text that is signed."""
        return (
            f"{self.origin}\n{self.tree_size}\n{b64(self.root_hash)}\ntimestamp {self.timestamp}\n"
        )

    @classmethod
    def from_body(cls, text: str) -> Checkpoint:
        """Parse a body made by :meth:`body`; extension lines other than ours are refused."""
        lines = text.removesuffix("\n").split("\n")
        if not text.endswith("\n") or len(lines) != 4 or not all(lines):
            raise CheckpointError("a checkpoint body is exactly four non-empty lines", field="note")
        root = b64decode(lines[2], "root_hash")
        if len(root) != HASH_SIZE:
            raise CheckpointError(f"root hash must be {HASH_SIZE} bytes", field="root_hash")
        if not lines[3].startswith("timestamp "):
            raise CheckpointError(
                "the fourth line must be 'timestamp <seconds>'", field="timestamp"
            )
        size = decimal(lines[1], "tree_size")
        timestamp = decimal(lines[3].removeprefix("timestamp "), "timestamp")
        return cls(lines[0], size, root, timestamp)

    def sign(self, key: SigningKey, key_name: str) -> SignedCheckpoint:
        note = SignedNote.sign(self.body(), key, key_name)
        return SignedCheckpoint(self, note.signatures)


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A checkpoint with its signature lines; ``note`` is the text to publish."""

    checkpoint: Checkpoint
    signatures: tuple[NoteSignature, ...]

    def __post_init__(self) -> None:
        check_signatures(self.signatures)

    @classmethod
    def parse(cls, text: str | bytes) -> SignedCheckpoint:
        note = SignedNote.parse(text)
        return cls(Checkpoint.from_body(note.text), note.signatures)

    @property
    def note(self) -> str:
        return SignedNote(self.checkpoint.body(), self.signatures).note

    def verify(
        self, verifiers: NoteVerifier | Iterable[NoteVerifier], *, origin: str | None = None
    ) -> Checkpoint:
        """Raise unless a pinned key signed this checkpoint; return the now trusted tree head."""
        SignedNote(self.checkpoint.body(), self.signatures).verify(verifiers)
        if origin is not None and self.checkpoint.origin != origin:
            raise CheckpointError(
                f"checkpoint is for {self.checkpoint.origin!r}, not {origin!r}", field="origin"
            )
        return self.checkpoint
