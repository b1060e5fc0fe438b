"""The envelope of every traceability answer: a checkpoint, proven entries, a signed statement.

Trace, recall and authenticity answers are computed from one read snapshot of ``as_of``
entries (every seq below it, nothing newer). :func:`prove` then cites one signed checkpoint
of at least ``as_of`` entries (the latest when it covers what the answer uses, else a new
one), attaches every entry the answer rests on with its inclusion proof in that tree, the
operator-signed registrations of the keys that signed them, and the ledger key's signature
over the whole answer — its question included — so a file relabelled as the answer to
another question, or with any printed field edited, fails offline verification
(:mod:`ledger.verification.trace_envelope`). Completeness (no event left out) is what the
ledger asserts by that signature; an auditor holding a copy of the log checks it with
``threeflow verify-trace FILE --key KEY --db COPY``, which recomputes the answer at
``as_of`` from the copy once its tree of the cited size has the checkpoint's root.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import Connection, func, select

from ledger.core.checkpoint import SignedCheckpoint
from ledger.core.errors import NotFound
from ledger.core.events import format_timestamp
from ledger.log import Ledger
from ledger.storage.models import Entry, ParticipantKey
from ledger.traceability import store
from ledger.verification.trace_envelope import signed_bytes

HOW_TO_CHECK = (
    "Offline: `threeflow verify-trace FILE --key LEDGER_KEY` checks the checkpoint, every "
    "entry's inclusion proof and signature, the ledger's signature over this answer and its "
    "question, and recomputes every listed event, item and link from the proven entries. "
    "Completeness: `threeflow verify-trace FILE --key LEDGER_KEY --db COPY` recomputes the "
    "answer from a copy of the ledger at tree size as_of, after checking that the copy's "
    "tree of the checkpoint's size has the checkpoint's root."
)


def snapshot_size(connection: Connection) -> int:
    """How many entries the read snapshot holds: the ``as_of`` of an answer read in it."""
    last = connection.execute(select(func.max(Entry.seq))).scalar_one_or_none()
    return 0 if last is None else int(last) + 1


def key_entries(connection: Connection, key_ids: Collection[str]) -> set[int]:
    """The entries that registered the keys the given entries were signed with."""
    rows = connection.execute(
        select(ParticipantKey.added_seq).where(ParticipantKey.key_id.in_(list(key_ids)))
    )
    return set(rows.scalars())


def covering_checkpoint(ledger: Ledger, last_seq: int) -> SignedCheckpoint:
    try:
        latest = ledger.latest_checkpoint()
        if latest.checkpoint.tree_size > last_seq:
            return latest
    except NotFound:
        pass
    return ledger.checkpoint()


def statement_bytes(document: Mapping[str, Any]) -> bytes:
    """What the ledger key signs (one rule for both sides: see ``trace_envelope``)."""
    return signed_bytes(document)


def prove(
    ledger: Ledger,
    connection: Connection,
    body: dict[str, Any],
    seqs: Collection[int],
    as_of: int,
) -> dict[str, Any]:
    """``body`` with the entries of ``seqs`` proven, their keys, and the ledger's signature."""
    entries = store.entries(connection, seqs)
    keys = key_entries(connection, {e.event.key_id for e in entries.values()})
    entries.update(store.entries(connection, keys - set(entries)))
    checkpoint = covering_checkpoint(ledger, max(entries, default=0))
    size = checkpoint.checkpoint.tree_size
    paths = ledger.proofs.audit_paths(sorted(entries), size)
    document = {
        **body,
        "as_of": min(as_of, size),
        "checkpoint": checkpoint.note,
        "completeness": HOW_TO_CHECK,
        "keys": sorted(keys),
        "entries": [
            {
                "seq": s,
                "event": entries[s].event.to_json(),
                "recorded_at": format_timestamp(entries[s].recorded_at),
                "format": entries[s].format,
                "audit_path": [h.hex() for h in paths[s]],
            }
            for s in sorted(entries)
        ],
    }
    document["statement"] = ledger.key.sign(statement_bytes(document)).hex()
    return document
