"""Checkpoints: sign, publish as text, parse back, verify; every malformed note refused."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core.checkpoint import (
    Checkpoint,
    NoteVerifier,
    SignedCheckpoint,
    SignedNote,
    verifier_key,
)
from ledger.core.errors import CheckpointError
from ledger.core.hashing import leaf_hash
from ledger.core.keys import SigningKey

ORIGIN = "threeflow.example/ledger"
KEY = SigningKey(bytes(range(32)))
OTHER = SigningKey(bytes(range(1, 33)))
ROOT = leaf_hash(b"root")
CHECKPOINT = Checkpoint(ORIGIN, 1234, ROOT, 1_767_225_600)
PINNED = NoteVerifier.parse(verifier_key(ORIGIN, KEY.public_key))


def signed_note() -> str:
    return CHECKPOINT.sign(KEY, ORIGIN).note


def test_verifier_key_whose_base64_holds_a_plus() -> None:
    text = verifier_key(ORIGIN, KEY.public_key)
    assert text.count("+") > 2
    assert NoteVerifier(ORIGIN, KEY.public_key) == PINNED
    assert PINNED.key_string == text


def test_non_canonical_root_decodes_to_the_same_bytes() -> None:
    assert _NON_CANONICAL != ROOT_B64
    assert base64.b64decode(_NON_CANONICAL) == ROOT


def test_body_layout() -> None:
    assert CHECKPOINT.body() == (
        f"{ORIGIN}\n1234\n{base64.b64encode(ROOT).decode()}\ntimestamp 1767225600\n"
    )
    assert Checkpoint.from_body(CHECKPOINT.body()) == CHECKPOINT


def test_sign_parse_verify_round_trip() -> None:
    signed = CHECKPOINT.sign(KEY, ORIGIN)
    text = signed.note
    assert text.startswith(CHECKPOINT.body() + "\n— " + ORIGIN + " ")
    assert text.count("\n") == 6
    parsed = SignedCheckpoint.parse(text)
    assert parsed == signed
    assert parsed.note == text
    assert SignedCheckpoint.parse(text.encode()) == signed
    assert parsed.verify(PINNED) == CHECKPOINT
    assert parsed.verify(PINNED, origin=ORIGIN) == CHECKPOINT
    assert parsed.signatures[0].key_hash == PINNED.key_hash


@settings(max_examples=50, deadline=None)
@given(
    origin=st.text(
        st.characters(min_codepoint=0x20, exclude_categories=["Cs"]), min_size=1, max_size=40
    ).filter(str.strip),
    size=st.integers(0, 2**63 - 1),
    root=st.binary(min_size=32, max_size=32),
    timestamp=st.integers(0, 2**63 - 1),
)
def test_round_trip_any_checkpoint(origin: str, size: int, root: bytes, timestamp: int) -> None:
    checkpoint = Checkpoint(origin, size, root, timestamp)
    signed = checkpoint.sign(KEY, ORIGIN)
    again = SignedCheckpoint.parse(signed.note)
    assert again == signed
    assert again.note == signed.note
    assert again.verify(PINNED) == checkpoint


def _replace_line(number: int, line: str) -> str:
    lines = signed_note().split("\n")
    lines[number] = line
    return "\n".join(lines)


ROOT_B64 = base64.b64encode(ROOT).decode()
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# the 43rd character of a 32-byte value carries two unused bits: set one, same bytes
_NON_CANONICAL = ROOT_B64[:-2] + _ALPHABET[_ALPHABET.index(ROOT_B64[-2]) ^ 1] + "="
MALFORMED = {
    "root-not-base64": (_replace_line(2, "not base64!"), "root_hash"),
    "root-non-canonical-base64": (
        _replace_line(2, _NON_CANONICAL),
        "root_hash",
    ),
    "root-31-bytes": (_replace_line(2, base64.b64encode(ROOT[:31]).decode()), "root_hash"),
    "root-33-bytes": (_replace_line(2, base64.b64encode(ROOT + b"\0").decode()), "root_hash"),
    "root-hex": (_replace_line(2, ROOT.hex()), "root_hash"),
    "size-words": (_replace_line(1, "twelve"), "tree_size"),
    "size-negative": (_replace_line(1, "-1"), "tree_size"),
    "size-plus": (_replace_line(1, "+1234"), "tree_size"),
    "size-leading-zero": (_replace_line(1, "01234"), "tree_size"),
    "size-zero-zero": (_replace_line(1, "00"), "tree_size"),
    "size-space": (_replace_line(1, " 1234"), "tree_size"),
    "size-arabic-digits": (_replace_line(1, "١٢٣٤"), "tree_size"),
    "size-too-large": (_replace_line(1, str(2**63)), "tree_size"),
    "size-huge": (_replace_line(1, "9" * 5000), "tree_size"),
    "empty-origin": (_replace_line(0, ""), "note"),
    "timestamp-missing": (_replace_line(3, ""), "note"),
    "timestamp-leading-zero": (_replace_line(3, "timestamp 01767225600"), "timestamp"),
    "timestamp-not-decimal": (_replace_line(3, "timestamp soon"), "timestamp"),
    "timestamp-other-key": (_replace_line(3, "time 1767225600"), "timestamp"),
    "extra-extension-line": (signed_note().replace("\n\n", "\nwitness x\n\n"), "note"),
    "three-lines": (signed_note().replace("timestamp 1767225600\n", ""), "note"),
    "missing-blank-line": (signed_note().replace("\n\n", "\n"), "note"),
    "no-final-newline": (signed_note()[:-1], "note"),
    "no-signature": (CHECKPOINT.body() + "\n", "signature"),
    "signature-bad-base64": (signed_note()[:-3] + "!=\n", "signature"),
    "signature-no-em-dash": (signed_note().replace("— ", "-- "), "signature"),
    "signature-bad-name": (signed_note().replace(f"— {ORIGIN} ", "— a+b "), "key_name"),
    "garbage-after-signature": (signed_note() + "garbage\n", "signature"),
    "control-character": (signed_note().replace("1234", "12\t34"), "note"),
    "carriage-returns": (signed_note().replace("\n", "\r\n"), "note"),
    "empty": ("", "note"),
}


@pytest.mark.parametrize(("note", "field"), list(MALFORMED.values()), ids=list(MALFORMED))
def test_malformed_checkpoints_are_refused(note: str, field: str) -> None:
    """Each is refused, and for the reason it was built to show."""
    with pytest.raises(CheckpointError) as caught:
        SignedCheckpoint.parse(note)
    assert caught.value.field == field, caught.value


def test_tampered_body_fails_verification() -> None:
    tampered = signed_note().replace("\n1234\n", "\n1235\n")
    parsed = SignedCheckpoint.parse(tampered)
    assert parsed.checkpoint.tree_size == 1235
    with pytest.raises(CheckpointError, match="invalid signature"):
        parsed.verify(PINNED)


def test_flipped_signature_fails_verification() -> None:
    signed = CHECKPOINT.sign(KEY, ORIGIN)
    sig = signed.signatures[0]
    bent = type(sig)(sig.name, sig.key_hash, bytes([sig.signature[0] ^ 1]) + sig.signature[1:])
    with pytest.raises(CheckpointError, match="invalid signature"):
        SignedCheckpoint(CHECKPOINT, (bent,)).verify(PINNED)


def test_unknown_keys_are_ignored_but_one_known_must_verify() -> None:
    ours = CHECKPOINT.sign(KEY, ORIGIN)
    witness = CHECKPOINT.sign(OTHER, "witness.example")
    cosigned = SignedCheckpoint(CHECKPOINT, witness.signatures + ours.signatures)
    assert SignedCheckpoint.parse(cosigned.note).verify(PINNED) == CHECKPOINT
    with pytest.raises(CheckpointError, match="no signature by a known key"):
        witness.verify(PINNED)
    # the right name with the wrong key is an unknown key, not a match
    with pytest.raises(CheckpointError, match="no signature by a known key"):
        CHECKPOINT.sign(OTHER, ORIGIN).verify(PINNED)
    # several pinned keys (rotation): any one known signature is enough
    assert ours.verify([NoteVerifier(ORIGIN, OTHER.public_key), PINNED]) == CHECKPOINT


def test_origin_pin() -> None:
    with pytest.raises(CheckpointError, match="not 'elsewhere'"):
        CHECKPOINT.sign(KEY, ORIGIN).verify(PINNED, origin="elsewhere")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (("", 1, ROOT, 0), "origin"),
        (("   ", 1, ROOT, 0), "origin"),
        (("a\nb", 1, ROOT, 0), "origin"),
        (("a\x00b", 1, ROOT, 0), "origin"),
        ((ORIGIN, -1, ROOT, 0), "tree_size"),
        ((ORIGIN, True, ROOT, 0), "tree_size"),
        ((ORIGIN, 2**63, ROOT, 0), "tree_size"),
        ((ORIGIN, 1, ROOT[:31], 0), "root_hash"),
        ((ORIGIN, 1, ROOT.hex(), 0), "root_hash"),
        ((ORIGIN, 1, ROOT, -5), "timestamp"),
        ((ORIGIN, 1, ROOT, 1.5), "timestamp"),
    ],
)
def test_checkpoint_invariants(fields: tuple[object, ...], field: str) -> None:
    with pytest.raises(CheckpointError) as caught:
        Checkpoint(*fields)  # type: ignore[arg-type]
    assert caught.value.field == field


@pytest.mark.parametrize("name", ["", "a b", "a+b", "tab\there", "new\nline"])
def test_bad_key_names_cannot_sign(name: str) -> None:
    with pytest.raises(CheckpointError):
        CHECKPOINT.sign(KEY, name)
    with pytest.raises(CheckpointError):
        NoteVerifier(name, KEY.public_key)


def test_verifier_needs_an_ed25519_key() -> None:
    with pytest.raises(CheckpointError, match="32 bytes"):
        NoteVerifier(ORIGIN, KEY.public_key[:31])
    with pytest.raises(CheckpointError):
        SignedNote.sign("no final newline", KEY, ORIGIN)


def test_signed_values_need_signatures() -> None:
    with pytest.raises(CheckpointError, match="at least one signature"):
        SignedCheckpoint(CHECKPOINT, ())
    with pytest.raises(CheckpointError, match="at least one signature"):
        SignedNote(CHECKPOINT.body(), ())
