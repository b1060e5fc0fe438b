"""C2SP signed notes (c2sp.org/signed-note): text, Ed25519 signatures, verifier keys.

The envelope of our checkpoints. Parsing is strict and total: every malformed input raises
:class:`CheckpointError`, and whatever parses renders back to the same text byte for byte;
verifier keys and key hashes follow golang.org/x/mod/sumdb/note, so Go tooling and
witnesses read and cosign what we sign.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ledger.core.errors import CheckpointError, SignatureInvalid
from ledger.core.keys import PUBLIC_KEY_SIZE, SigningKey, verify_signature

ED25519 = b"\x01"  # signed-note signature type byte
KEY_HASH_SIZE = 4
MAX_SIGNATURES = 100  # the spec asks verifiers to accept at least 16
MAX_INT = 2**63 - 1  # sizes and times fit a signed 64-bit column
_SIG_PREFIX = "— "
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")
_HEX8 = re.compile(r"[0-9a-fA-F]{8}")


def has_control(text: str) -> bool:
    return any(ord(ch) < 0x20 and ch != "\n" for ch in text)


def _check_name(name: str) -> None:
    """Key names: non-empty, no spaces, no ``+`` (the verifier-key separator)."""
    if not isinstance(name, str) or not name or "+" in name:
        raise CheckpointError(f"bad key name {name!r}", field="key_name")
    if any(ch.isspace() or ord(ch) < 0x20 for ch in name):
        raise CheckpointError(f"key name {name!r} contains a space or control", field="key_name")


def b64decode(text: str, what: str) -> bytes:
    """Standard base64, canonical only, so a note has exactly one spelling."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise CheckpointError(f"{what} is not base64", field=what) from exc
    if base64.b64encode(data).decode("ascii") != text:
        raise CheckpointError(f"{what} is not canonical base64", field=what)
    return data


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def decimal(text: str, what: str) -> int:
    if not _DECIMAL.fullmatch(text) or int(text) > MAX_INT:
        raise CheckpointError(
            f"{what} {text[:24]!r} is not a decimal in [0, 2**63) without leading zeros",
            field=what,
        )
    return int(text)


def key_hash(name: str, public_key: bytes) -> bytes:
    """Signed-note key ID: SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:KEY_HASH_SIZE]


def verifier_key(name: str, public_key: bytes) -> str:
    """The Go-style verifier key string ``<name>+<hex key hash>+<base64(0x01||key)>``."""
    return NoteVerifier(name, public_key).key_string


@dataclass(frozen=True, slots=True)
class NoteVerifier:
    """A pinned Ed25519 note key: the name it signs under and its public key."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        if not isinstance(self.public_key, bytes) or len(self.public_key) != PUBLIC_KEY_SIZE:
            raise CheckpointError("an Ed25519 public key is 32 bytes", field="public_key")

    @classmethod
    def for_key(cls, name: str, public_key: bytes) -> NoteVerifier:
        return cls(name, public_key)

    @classmethod
    def parse(cls, text: str) -> NoteVerifier:
        """Read a verifier key string; its key hash must match its name and key."""
        parts = text.split("+", 2) if isinstance(text, str) else []  # base64 may hold "+"
        if len(parts) != 3 or not _HEX8.fullmatch(parts[1]):
            raise CheckpointError("verifier key is not name+hash+key", field="verifier_key")
        key = b64decode(parts[2], "verifier_key")
        if key[:1] != ED25519 or len(key) != 1 + PUBLIC_KEY_SIZE:
            raise CheckpointError("verifier key is not an Ed25519 key", field="verifier_key")
        verifier = cls(parts[0], key[1:])
        if verifier.key_hash != bytes.fromhex(parts[1]):
            raise CheckpointError("verifier key hash does not match", field="verifier_key")
        return verifier

    @property
    def key_hash(self) -> bytes:
        return key_hash(self.name, self.public_key)

    @property
    def key_string(self) -> str:
        return f"{self.name}+{self.key_hash.hex()}+{b64(ED25519 + self.public_key)}"

    def verify(self, message: bytes, signature: bytes) -> None:
        try:
            verify_signature(self.public_key, message, signature)
        except SignatureInvalid as exc:
            raise CheckpointError(
                f"invalid signature for key {self.name}+{self.key_hash.hex()}", field="signature"
            ) from exc


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line: ``— <name> base64(key hash || signature)``."""

    name: str
    key_hash: bytes
    signature: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        if not isinstance(self.key_hash, bytes) or len(self.key_hash) != KEY_HASH_SIZE:
            raise CheckpointError(f"a key hash is {KEY_HASH_SIZE} bytes", field="signature")
        if not isinstance(self.signature, bytes) or not self.signature:
            raise CheckpointError("a signature is non-empty bytes", field="signature")

    @property
    def line(self) -> str:
        return f"{_SIG_PREFIX}{self.name} {b64(self.key_hash + self.signature)}\n"

    @classmethod
    def parse_line(cls, line: str) -> NoteSignature:
        fields = line.removeprefix(_SIG_PREFIX).split(" ")
        if not line.startswith(_SIG_PREFIX) or len(fields) != 2:
            raise CheckpointError("malformed signature line", field="signature")
        blob = b64decode(fields[1], "signature")
        return cls(fields[0], blob[:KEY_HASH_SIZE], blob[KEY_HASH_SIZE:])


def check_signatures(signatures: tuple[NoteSignature, ...]) -> None:
    if not isinstance(signatures, tuple) or not signatures:
        raise CheckpointError("a signed note has at least one signature", field="signature")
    if len(signatures) > MAX_SIGNATURES:
        raise CheckpointError(f"more than {MAX_SIGNATURES} signatures", field="signature")
    if not all(isinstance(sig, NoteSignature) for sig in signatures):
        raise CheckpointError("signatures must be NoteSignature values", field="signature")


@dataclass(frozen=True, slots=True)
class SignedNote:
    """A note text (ending in a newline) and its signature lines."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.endswith("\n"):
            raise CheckpointError("note text must end in a newline", field="note")
        if has_control(self.text):
            raise CheckpointError("note text must not contain controls", field="note")
        check_signatures(self.signatures)

    @classmethod
    def sign(cls, text: str, key: SigningKey, key_name: str) -> SignedNote:
        _check_name(key_name)
        signature = key.sign(text.encode())
        return cls(text, (NoteSignature(key_name, key_hash(key_name, key.public_key), signature),))

    @classmethod
    def parse(cls, note: str | bytes) -> SignedNote:
        """Split a note at its last blank line and read every signature line."""
        try:
            if isinstance(note, bytes):
                note = note.decode("utf-8")
            note.encode("utf-8")
        except (AttributeError, UnicodeError) as exc:
            raise CheckpointError("a note is UTF-8 text", field="note") from exc
        if has_control(note) or not note.endswith("\n"):
            raise CheckpointError("a note ends in a newline and has no controls", field="note")
        split = note.rfind("\n\n")
        if split < 0:
            raise CheckpointError("a note needs a blank line before its signatures", field="note")
        if split + 2 == len(note):
            raise CheckpointError("a note needs at least one signature line", field="signature")
        lines = note[split + 2 : -1].split("\n")
        if len(lines) > MAX_SIGNATURES:
            raise CheckpointError(f"more than {MAX_SIGNATURES} signatures", field="note")
        signatures = tuple(NoteSignature.parse_line(line) for line in lines)
        return cls(note[: split + 1], signatures)

    @property
    def note(self) -> str:
        return self.text + "\n" + "".join(sig.line for sig in self.signatures)

    def verify(self, verifiers: NoteVerifier | Iterable[NoteVerifier]) -> None:
        """Raise unless a known key signed; every known key's signature must verify.

        Signatures by keys not given (other name or other key hash) are ignored, as the
        spec requires: that is how witnesses cosign and keys rotate.
        """
        pool = [verifiers] if isinstance(verifiers, NoteVerifier) else list(verifiers)
        known: dict[tuple[str, bytes], set[NoteVerifier]] = {}
        for verifier in pool:
            known.setdefault((verifier.name, verifier.key_hash), set()).add(verifier)
        verified = 0
        for sig in self.signatures:
            matches = known.get((sig.name, sig.key_hash), set())
            if len(matches) > 1:
                raise CheckpointError(f"ambiguous key {sig.name}+{sig.key_hash.hex()}")
            for verifier in matches:
                verifier.verify(self.text.encode(), sig.signature)
                verified += 1
        if not verified:
            raise CheckpointError("note has no signature by a known key", field="signature")
