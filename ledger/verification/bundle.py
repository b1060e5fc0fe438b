"""Verify export bundles (JSON Lines) with no database: nothing here imports SQLAlchemy.

Line order is fixed so a verifier can stream: ``header``, then ``participant`` and ``key``
lines (the registry as the operator states it), ``checkpoint`` lines, then every ``entry``
in sequence order (``anchor`` lines come with anchoring). Participants and keys are
cross-checked at the end against the registry replayed from signed entries: the bundle's
own claims about keys are never trusted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ledger.core.checkpoint import SignedCheckpoint
from ledger.core.errors import LedgerError
from ledger.core.events import Event, format_timestamp, parse_timestamp
from ledger.core.hashing import FORMAT_PLAIN
from ledger.core.keybook import OPERATOR
from ledger.verification.stream import RawEntry, Report, StreamVerifier, fail

FORMAT = "threeflow-bundle/1"


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise fail(None, f"cannot open {path}: {exc.strerror}") from None
    with handle:
        for number, text in enumerate(handle, start=1):
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                raise fail(None, f"line {number} is not JSON: {exc.msg}") from None
            if not isinstance(obj, dict) or not isinstance(obj.get("kind"), str):
                raise fail(None, f"line {number} has no kind")
            yield number, obj


def read_header(path: Path) -> dict[str, Any]:
    """The bundle's first line (origin, ledger key, size), read without verifying anything."""
    first = next(_lines(path), None)
    if first is None or first[1].get("kind") != "header" or first[1].get("format") != FORMAT:
        raise fail(None, f"not a {FORMAT} bundle (no header line)")
    return first[1]


def _hex(obj: dict[str, Any], name: str, number: int) -> bytes:
    try:
        return bytes.fromhex(str(obj[name]))
    except (KeyError, ValueError):
        raise fail(None, f"line {number}: {name} is missing or not hex") from None


def verify_bundle(
    path: Path,
    *,
    pinned_key: bytes | None = None,
    progress: Callable[[int, int], None] | None = None,
    threads: int = 2,
    watch_sizes: Iterable[int] = (),
) -> Report:
    """Verify a bundle offline. Without ``pinned_key`` the header's key is used (and said).

    The report keeps the recomputed root at every anchored size and at ``watch_sizes``, so
    anchors can be checked against a chain afterwards without a second pass.
    """
    lines = _lines(path)
    first = next(lines, None)
    if first is None or first[1].get("kind") != "header" or first[1].get("format") != FORMAT:
        raise fail(None, f"not a {FORMAT} bundle (no header line)")
    header = first[1]
    public_key = _hex(header, "public_key", 1)
    if pinned_key is not None and pinned_key != public_key:
        raise fail(None, "the bundle names another ledger key than the pinned one")
    origin = str(header.get("origin", ""))
    declared = header.get("tree_size")
    verifier: StreamVerifier | None = None
    claimed_keys: list[tuple[int, dict[str, Any]]] = []
    claimed_people: list[tuple[int, dict[str, Any]]] = []
    checkpoints: list[SignedCheckpoint] = []
    anchors: list[dict[str, Any]] = []
    watched = set(watch_sizes)
    for number, obj in lines:
        kind = obj["kind"]
        if kind == "entry":
            if verifier is None:
                verifier = StreamVerifier(
                    public_key, origin, checkpoints, threads=threads, watch_sizes=watched
                )
            try:
                event = Event.from_json(obj.get("event"))
            except LedgerError as exc:
                raise fail(_seq(obj), f"line {number}: event is malformed: {exc}") from None
            fmt, recorded = _recording(obj, number)
            verifier.feed(
                RawEntry(
                    _seq(obj),
                    event,
                    _hex(obj, "leaf_hash", number),
                    _hex(obj, "chain_hash", number),
                    recorded,
                    fmt,
                )
            )
            if progress is not None and verifier.report.tree_size % 10000 == 0:
                progress(verifier.report.tree_size, int(declared or 0))
        elif verifier is not None and kind != "anchor":
            raise fail(None, f"line {number}: {kind} lines must come before the entries")
        elif kind == "checkpoint":
            try:
                checkpoints.append(SignedCheckpoint.parse(str(obj.get("note", ""))))
            except LedgerError as exc:
                raise fail(None, f"line {number}: checkpoint: {exc.detail}") from None
        elif kind == "key":
            claimed_keys.append((number, obj))
        elif kind == "participant":
            claimed_people.append((number, obj))
        elif kind == "anchor":
            anchors.append(obj)
            if isinstance(obj.get("tree_size"), int):
                watched.add(obj["tree_size"])
        else:
            raise fail(None, f"line {number}: unknown kind {kind!r}")
    if verifier is None:
        verifier = StreamVerifier(public_key, origin, checkpoints, threads=threads)
    report = verifier.finish()
    report.anchors = anchors
    if declared != report.tree_size:
        raise fail(
            report.tree_size,
            f"the header declares {declared} entries but {report.tree_size} follow",
        )
    book = verifier.book
    for number, obj in claimed_keys:
        state = book.keys.get(str(obj.get("key_id")))
        if (
            state is None
            or state.public_key.hex() != obj.get("public_key")
            or state.participant_id != obj.get("participant_id")
        ):
            raise fail(
                None,
                f"line {number}: key {obj.get('key_id')} is not backed by a signed registry entry",
            )
        if (state.revoked_at is None) != (obj.get("revoked_at") is None):
            raise fail(
                None,
                f"line {number}: key {obj.get('key_id')} disagrees with the registry on revocation",
            )
        window = (obj.get("valid_from"), obj.get("valid_until"))
        signed_window = (
            format_timestamp(state.valid_from),
            format_timestamp(state.valid_until) if state.valid_until else None,
        )
        if window != signed_window and state.participant_id != OPERATOR:
            raise fail(
                None,
                f"line {number}: key {obj.get('key_id')} disagrees with the registry "
                "on its validity window",
            )
    for number, obj in claimed_people:
        person = book.participants.get(str(obj.get("id")))
        if person is None:
            raise fail(
                None,
                f"line {number}: participant {obj.get('id')} "
                "is not backed by a signed registry entry",
            )
        claimed = (
            obj.get("legal_name"),
            tuple(obj.get("roles") or ()),
            obj.get("country"),
            tuple(obj.get("gs1_prefixes") or ()),
        )
        if claimed != (person.legal_name, person.roles, person.country, person.gs1_prefixes):
            raise fail(
                None,
                f"line {number}: participant {obj.get('id')} "
                "disagrees with the signed registry entry",
            )
    if pinned_key is None:
        report.notes.append(
            "ledger key taken from the bundle itself: pin it with --key to trust the result"
        )
    return report


def _seq(obj: dict[str, Any]) -> int:
    seq = obj.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise fail(None, "an entry line has no integer seq")
    return seq


def _recording(obj: dict[str, Any], number: int) -> tuple[int, datetime | None]:
    """An entry line's format (absent: 1, the first format) and recording time."""
    fmt = obj.get("format", FORMAT_PLAIN)
    if not isinstance(fmt, int) or isinstance(fmt, bool):
        raise fail(None, f"line {number}: format must be an integer")
    if fmt == FORMAT_PLAIN:
        return fmt, None
    try:
        return fmt, parse_timestamp(obj.get("recorded_at"), field="recorded_at")
    except LedgerError:
        raise fail(_seq(obj), f"line {number}: recorded_at is not a UTC timestamp") from None
