"""The signed-note layer against the spec's and the Go reference implementation's examples.

Vectors: golang.org/x/mod/sumdb/note note_test.go (the PeterNeumann and EnochRoot keys
and notes) and the examples in c2sp.org/signed-note and c2sp.org/tlog-checkpoint.
"""

from __future__ import annotations

import base64
import hashlib

import pytest

from ledger.core.checkpoint import SignedCheckpoint
from ledger.core.errors import CheckpointError
from ledger.core.keys import SigningKey
from ledger.core.note import (
    NoteSignature,
    NoteVerifier,
    SignedNote,
    key_hash,
    verifier_key,
)

PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_B64 = (
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
)
ENOCH_B64 = (
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ="
)
PETER_SIG = f"— PeterNeumann {PETER_B64}\n"
ENOCH_SIG = f"— EnochRoot {ENOCH_B64}\n"


def peter_signing_key() -> SigningKey:
    blob = base64.b64decode(PETER_SKEY.split("+", 4)[4])  # base64 may hold "+"
    assert blob[0] == 1
    return SigningKey(blob[1:])


def test_key_hash_per_spec() -> None:
    peter = NoteVerifier.parse(PETER_VKEY)
    spec = hashlib.sha256(b"PeterNeumann\n\x01" + peter.public_key).digest()[:4]
    assert key_hash("PeterNeumann", peter.public_key) == spec == bytes.fromhex("c74f20a3")
    assert peter.public_key == peter_signing_key().public_key
    assert verifier_key("PeterNeumann", peter.public_key) == PETER_VKEY == peter.key_string
    assert NoteVerifier.parse(ENOCH_VKEY).key_hash.hex() == "af0cfe78"


def test_go_signature_is_reproduced_byte_for_byte() -> None:
    note = SignedNote.sign(TEXT, peter_signing_key(), "PeterNeumann")
    assert note.note == TEXT + "\n" + PETER_SIG


def test_go_note_verifies_and_round_trips() -> None:
    peter, enoch = NoteVerifier.parse(PETER_VKEY), NoteVerifier.parse(ENOCH_VKEY)
    both = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    note = SignedNote.parse(both)
    assert note.text == TEXT
    assert note.note == both
    assert [s.name for s in note.signatures] == ["PeterNeumann", "EnochRoot"]
    note.verify(peter)  # EnochRoot is unknown here and ignored
    note.verify(enoch)
    note.verify([peter, enoch])
    with pytest.raises(CheckpointError, match="no signature by a known key"):
        note.verify([])


def test_go_verifier_key_manglings_are_rejected() -> None:
    """As in Go's TestNewVerifier: every proper substring and every byte bump fails."""
    rejected = 0
    for i in range(len(PETER_VKEY) + 1):
        for j in range(i + 1, len(PETER_VKEY) + 1):
            if (i, j) != (0, len(PETER_VKEY)):
                with pytest.raises(CheckpointError):
                    NoteVerifier.parse(PETER_VKEY[i:j])
                rejected += 1
    for i, ch in enumerate(PETER_VKEY):
        with pytest.raises(CheckpointError):
            NoteVerifier.parse(PETER_VKEY[:i] + chr(ord(ch) + 1) + PETER_VKEY[i + 1 :])
    assert rejected > 2000
    for bad in (
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        PETER_VKEY + "\n",
    ):
        with pytest.raises(CheckpointError):
            NoteVerifier.parse(bad)


@pytest.mark.parametrize(
    "note",
    [
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        TEXT + "\n" + f"— Bad Name {PETER_B64}\n",
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        TEXT + "\n" + PETER_SIG.replace("— ", "- "),
        TEXT + "\n" + PETER_SIG.replace("— PeterNeumann", "— a+b"),
        TEXT + "\n" + "— PeterNeumann x08go/Z\n",  # not base64 of whole quanta
        TEXT + "\n" + "— PeterNeumann x08gow==\n",  # key hash and no signature
        TEXT + "\n" + PETER_SIG * 101,
    ],
    ids=[
        "no-signatures",
        "blank-line-only",
        "no-final-newline",
        "control-character",
        "space-in-name",
        "line-after-signatures",
        "hyphen-not-em-dash",
        "plus-in-name",
        "bad-base64",
        "signature-too-short",
        "too-many-signatures",
    ],
)
def test_go_malformed_notes(note: str) -> None:
    with pytest.raises(CheckpointError):
        SignedNote.parse(note)


def test_invalid_utf8_is_malformed() -> None:
    with pytest.raises(CheckpointError, match="UTF-8"):
        SignedNote.parse(b"\xff" + (TEXT + "\n" + PETER_SIG).encode())
    with pytest.raises(CheckpointError, match="UTF-8"):
        SignedNote.parse("\ud800" + TEXT + "\n" + PETER_SIG)


def test_go_invalid_and_extra_signatures() -> None:
    peter = NoteVerifier.parse(PETER_VKEY)
    corrupted = TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(CheckpointError, match="invalid signature for key PeterNeumann"):
        SignedNote.parse(corrupted).verify(peter)
    # a known key that fails is fatal even when another known signature verifies
    both = TEXT + "\n" + PETER_SIG + ENOCH_SIG[:60] + "ABCD" + ENOCH_SIG[60:]
    SignedNote.parse(both).verify(peter)
    with pytest.raises(CheckpointError, match="invalid signature for key EnochRoot"):
        SignedNote.parse(both).verify([peter, NoteVerifier.parse(ENOCH_VKEY)])


def test_same_name_or_same_hash_alone_is_an_unknown_key() -> None:
    peter = NoteVerifier.parse(PETER_VKEY)
    other = SigningKey(bytes(range(32)))
    impostor = SignedNote.sign(TEXT, other, "PeterNeumann")  # same name, other key hash
    with pytest.raises(CheckpointError, match="no signature by a known key"):
        impostor.verify(peter)
    renamed = SignedNote(
        TEXT, (NoteSignature("PaulNeumann", peter.key_hash, impostor.signatures[0].signature),)
    )
    with pytest.raises(CheckpointError, match="no signature by a known key"):
        renamed.verify(peter)


def test_ambiguous_verifiers() -> None:
    peter = NoteVerifier.parse(PETER_VKEY)
    note = SignedNote.parse(TEXT + "\n" + PETER_SIG)
    note.verify([peter, peter])  # the same key twice is one key
    # a second key under the same name and key hash: which one is meant cannot be told
    twin = NoteVerifier("PeterNeumann", bytes(32))
    clash = [peter, _with_hash(twin, peter.key_hash)]
    with pytest.raises(CheckpointError, match="ambiguous key"):
        note.verify(clash)


def _with_hash(verifier: NoteVerifier, digest: bytes) -> NoteVerifier:
    """A verifier whose key hash collides with ``digest`` (the spec allows collisions)."""

    class Colliding(NoteVerifier):
        __slots__ = ()

        @property
        def key_hash(self) -> bytes:
            return digest

    return Colliding(verifier.name, verifier.public_key)


def test_c2sp_examples_parse_as_notes() -> None:
    quasimodo = (
        "Ognuno sta solo sul cuor della terra\n"
        "trafitto da un raggio di sole:\n"
        "\n"
        "ed è subito sera.\n"
        "\n"
        "— quasimodo.example/salvatore "
        "NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n"
    )
    note = SignedNote.parse(quasimodo)
    assert note.text.endswith("\n\ned è subito sera.\n")  # split at the *last* blank line
    assert note.note == quasimodo
    sofa = (
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"
        "— example.com/behind-the-sofa "
        "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    )
    assert SignedNote.parse(sofa).note == sofa
    # ours always carries the timestamp line, so a bare three-line checkpoint is refused
    with pytest.raises(CheckpointError, match="four non-empty lines"):
        SignedCheckpoint.parse(sofa)
