"""Tampering with exported bundles, and ``verify_bundle`` naming what was done where.

Bundles are exported from the base ledger on each backend, then edited line by line as a
forger holding the file could; careful forgeries recompute leaf and chain hashes with
:mod:`tests.ledger.oracle`. The verifier pins the ledger key, as an auditor would.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import rfc8785

from ledger.audit.export import export_bundle
from ledger.core.errors import VerificationFailed
from ledger.verification.bundle import verify_bundle
from tests.ledger import oracle
from tests.ledger.scenario import BUYER, LEDGER_KEY, OTHER_LEDGER_KEY, SELLER, Base, key_for

Lines = list[dict[str, Any]]


@pytest.fixture(scope="module")
def exported(base: Base, tmp_path_factory: pytest.TempPathFactory) -> Lines:
    path = tmp_path_factory.mktemp("bundle") / "base.jsonl"
    assert export_bundle(base.url, path) == base.size
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def lines(exported: Lines) -> Lines:
    copied: Lines = json.loads(json.dumps(exported))  # a deep copy to edit
    return copied


@pytest.fixture
def check(tmp_path: Path) -> Callable[..., VerificationFailed]:
    """Write the edited lines and return the verifier's error."""

    def run(edited: Lines, pinned: bytes = LEDGER_KEY.public_key) -> VerificationFailed:
        path = tmp_path / "edited.jsonl"
        path.write_text("".join(json.dumps(line) + "\n" for line in edited))
        with pytest.raises(VerificationFailed) as caught:
            verify_bundle(path, pinned_key=pinned)
        return caught.value

    return run


def at(lines: Lines, seq: int) -> int:
    """Index of the line holding entry ``seq``."""
    return next(i for i, line in enumerate(lines) if line.get("seq") == seq)


def entry_of_type(lines: Lines, type_: str, after: int) -> dict[str, Any]:
    return next(
        line
        for line in lines
        if line["kind"] == "entry" and line["seq"] >= after and line["event"]["type"] == type_
    )


def canonical(event: dict[str, Any]) -> bytes:
    return rfc8785.dumps({name: value for name, value in event.items() if name != "signature"})


def recompute(lines: Lines) -> None:
    """Leaf and chain hashes of every entry line, made to fit their (edited) events."""
    tip = oracle.GENESIS
    for line in lines:
        if line["kind"] != "entry":
            continue
        event = line["event"]
        recorded = datetime.fromisoformat(line["recorded_at"].replace("Z", "+00:00"))
        leaf = oracle.leaf_of(
            line.get("format", 1), canonical(event), bytes.fromhex(event["signature"]), recorded
        )
        tip = oracle.chain(tip, leaf)
        line["leaf_hash"], line["chain_hash"] = leaf.hex(), tip.hex()


def checkpoint_sizes(lines: Lines) -> list[int]:
    return sorted(line["tree_size"] for line in lines if line["kind"] == "checkpoint")


def test_the_untouched_bundle_verifies(exported: Lines, base: Base, tmp_path: Path) -> None:
    path = tmp_path / "clean.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in exported))
    report = verify_bundle(path, pinned_key=LEDGER_KEY.public_key)
    assert (report.tree_size, report.checkpoints) == (base.size, len(base.checkpoints))
    assert report.notes == []
    assert {line["kind"] for line in exported} == {
        "header",
        "participant",
        "key",
        "checkpoint",
        "entry",
    }
    unpinned = verify_bundle(path)
    assert unpinned.notes == [
        "ledger key taken from the bundle itself: pin it with --key to trust the result"
    ]


def test_one_digit_of_a_payload(lines: Lines, check: Callable[..., VerificationFailed]) -> None:
    line = entry_of_type(lines, "payment.made", 100)
    line["event"]["payload"]["amount"]["amount_minor"] += 1
    error = check(lines)
    assert error.seq == line["seq"]
    assert "leaf hash does not match the entry's content" in str(error)


def test_an_entry_deleted(lines: Lines, check: Callable[..., VerificationFailed]) -> None:
    del lines[at(lines, 90)]
    error = check(lines)
    assert error.seq == 90
    assert "entry 90 is missing (found entry 91 in its place)" in str(error)


def test_two_entry_lines_swapped(lines: Lines, check: Callable[..., VerificationFailed]) -> None:
    i, j = at(lines, 60), at(lines, 61)
    lines[i], lines[j] = lines[j], lines[i]
    error = check(lines)
    assert error.seq == 60
    assert "entry 60 is missing (found entry 61 in its place)" in str(error)


def test_two_entries_swapped_under_their_numbers(
    lines: Lines, check: Callable[..., VerificationFailed]
) -> None:
    i, j = at(lines, 60), at(lines, 110)
    lines[i]["seq"], lines[j]["seq"] = 110, 60
    lines[i], lines[j] = lines[j], lines[i]
    error = check(lines)
    assert error.seq == 60
    assert "chain hash does not follow from the previous entry" in str(error)


@pytest.mark.parametrize("recomputed", [False, True], ids=["as is", "hashes recomputed"])
@pytest.mark.parametrize("replacement", ["garbage", "another key"])
def test_a_signature_replaced(
    lines: Lines, check: Callable[..., VerificationFailed], replacement: str, recomputed: bool
) -> None:
    line = entry_of_type(lines, "order.accepted", 90)
    assert line["event"]["actor"] == SELLER
    signature = (
        os.urandom(64)
        if replacement == "garbage"
        else key_for(BUYER).sign(canonical(line["event"]))
    )
    line["event"]["signature"] = signature.hex()
    if recomputed:
        recompute(lines)
    error = check(lines)
    assert error.seq == line["seq"]
    reason = "signature does not verify" if recomputed else "leaf hash does not match"
    assert reason in str(error)


def test_the_tail_truncated_below_a_signed_checkpoint(
    lines: Lines, check: Callable[..., VerificationFailed]
) -> None:
    last = checkpoint_sizes(lines)[-1]
    keep = last - 5
    lines = [line for line in lines if line["kind"] != "entry" or line["seq"] < keep]
    lines[0]["tree_size"] = keep
    error = check(lines)
    assert error.seq == keep
    assert f"below the signed checkpoint at size {last}: entries were truncated" in str(error)


def test_history_rewritten_with_recomputed_hashes(
    lines: Lines, check: Callable[..., VerificationFailed]
) -> None:
    line = entry_of_type(lines, "payment.made", 100)
    event = line["event"]
    event["payload"]["amount"]["amount_minor"] += 1
    event["signature"] = key_for(event["actor"]).sign(canonical(event)).hex()
    recompute(lines)
    error = check(lines)
    caught_at = min(size for size in checkpoint_sizes(lines) if size > line["seq"])
    assert error.seq == caught_at - 1
    assert "history was rewritten" in str(error)


def test_a_key_line_not_backed_by_the_registry(
    lines: Lines, check: Callable[..., VerificationFailed]
) -> None:
    stranger = key_for("stranger")
    first_key = next(i for i, line in enumerate(lines) if line["kind"] == "key")
    lines.insert(
        first_key,
        {
            "kind": "key",
            "key_id": stranger.key_id,
            "participant_id": SELLER,
            "public_key": stranger.public_key.hex(),
            "valid_from": "2025-01-01T00:00:00.000000Z",
            "valid_until": None,
            "revoked_at": None,
        },
    )
    error = check(lines)
    assert f"line {first_key + 1}: key {stranger.key_id} is not backed" in str(error)


def test_a_key_line_given_to_another_participant(
    lines: Lines, check: Callable[..., VerificationFailed]
) -> None:
    number, line = next((i, x) for i, x in enumerate(lines) if x.get("participant_id") == SELLER)
    line["participant_id"] = BUYER
    assert f"line {number + 1}: key {line['key_id']} is not backed" in str(check(lines))


def test_a_revocation_hidden_in_a_key_line(
    lines: Lines, base: Base, check: Callable[..., VerificationFailed]
) -> None:
    number, line = next(
        (i, x) for i, x in enumerate(lines) if x.get("key_id") == base.revoked_key_id
    )
    assert line["revoked_at"] is not None
    line["revoked_at"] = None
    assert f"line {number + 1}: key {base.revoked_key_id} disagrees" in str(check(lines))


def test_a_participant_line_not_backed_by_the_registry(
    lines: Lines, check: Callable[..., VerificationFailed]
) -> None:
    lines.insert(1, {"kind": "participant", "id": "ghost-01", "legal_name": "Ghost", "roles": []})
    assert "line 2: participant ghost-01 is not backed" in str(check(lines))


def test_a_checkpoint_note_with_a_bad_signature(
    lines: Lines, check: Callable[..., VerificationFailed]
) -> None:
    line = next(x for x in lines if x["kind"] == "checkpoint")
    body, signature = line["note"].split("\n\n")
    name, blob = signature.removeprefix("— ").rstrip("\n").split(" ")
    raw = bytearray(base64.b64decode(blob))
    raw[10] ^= 0x40
    line["note"] = f"{body}\n\n— {name} {base64.b64encode(bytes(raw)).decode()}\n"
    error = check(lines)
    assert error.seq is None
    assert f"checkpoint at size {line['tree_size']}: invalid signature" in str(error)


def test_a_wrong_pinned_key(lines: Lines, check: Callable[..., VerificationFailed]) -> None:
    error = check(lines, pinned=OTHER_LEDGER_KEY.public_key)
    assert error.seq is None
    assert "another ledger key than the pinned one" in str(error)


def test_a_header_that_miscounts(lines: Lines, check: Callable[..., VerificationFailed]) -> None:
    lines[0]["tree_size"] += 1
    assert "the header declares" in str(check(lines))


def test_lines_out_of_place(lines: Lines, check: Callable[..., VerificationFailed]) -> None:
    checkpoint = next(x for x in lines if x["kind"] == "checkpoint")
    lines.append(checkpoint)
    assert "checkpoint lines must come before the entries" in str(check(lines))


# -- registry lines must say what the signed registry says -----------------------------


def test_a_legal_name_changed_in_a_participant_line(
    lines: Lines, check: Callable[..., VerificationFailed]
) -> None:
    number, line = next((i, x) for i, x in enumerate(lines) if x.get("id") == SELLER)
    line["legal_name"] = "Someone Else"
    assert f"line {number + 1}: participant {SELLER}" in str(check(lines))


def test_a_validity_window_changed_in_a_key_line(
    lines: Lines, check: Callable[..., VerificationFailed]
) -> None:
    number, line = next((i, x) for i, x in enumerate(lines) if x.get("participant_id") == SELLER)
    line["valid_from"] = "2015-01-01T00:00:00.000000Z"
    assert f"line {number + 1}: key {line['key_id']}" in str(check(lines))


@pytest.mark.parametrize(
    "payload",
    [
        {"participant_id": ["seller"], "legal_name": "x", "roles": ["seller"]},
        {"participant_id": "forged-01", "roles": ["seller"]},
        {"participant_id": "forged-01", "legal_name": "x", "roles": 7},
        {"participant_id": "forged-01", "legal_name": 7, "roles": ["seller"], "country": 1},
    ],
    ids=["unhashable id", "no legal name", "roles not a list", "names not strings"],
)
def test_a_malformed_registry_event_is_an_invalid_entry_not_a_crash(
    lines: Lines, check: Callable[..., VerificationFailed], payload: dict[str, Any]
) -> None:
    """The registry is replayed before signatures are checked: bad shapes must not escape."""
    line = entry_of_type(lines, "participant.registered", 0)
    line["event"]["payload"] = payload
    recompute(lines)
    error = check(lines)
    assert error.seq == line["seq"]
