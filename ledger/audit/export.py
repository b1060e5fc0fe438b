"""Export a ledger as a bundle (JSON Lines) that ``threeflow verify FILE`` checks offline.

Line order is fixed so a verifier can stream: ``header``, then ``participant`` and ``key``
lines (the registry as the operator states it), ``checkpoint`` lines, the lines features
add before the entries (anchors, so the verifier knows which roots to keep), then every
``entry`` in sequence order. Everything is read in one snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from importlib.metadata import entry_points
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import NoResultFound, SQLAlchemyError

from ledger.core.errors import LedgerError
from ledger.core.events import format_timestamp
from ledger.storage import models
from ledger.storage.db import make_engines
from ledger.verification.bundle import FORMAT

PAGE = 5000
BUNDLE_LINES = "threeflow.bundle_lines"
Extra = Callable[[Connection], Iterable[dict[str, Any]]]


def _line(handle: IO[str], obj: dict[str, Any]) -> None:
    handle.write(json.dumps(obj, separators=(",", ":"), ensure_ascii=False))
    handle.write("\n")


def export_bundle(
    url: str,
    out: Path,
    progress: Callable[[int, int], None] | None = None,
    extra: Extra | None = None,
) -> int:
    """Write the whole ledger at ``url`` to ``out``; returns the number of entries.

    Features add lines before the entries (the anchoring feature's anchors) through the
    ``threeflow.bundle_lines`` entry-point group, read in the same snapshot; ``extra`` adds
    more.
    """
    sections = [point.load() for point in entry_points(group=BUNDLE_LINES)]
    if extra is not None:
        sections.append(extra)
    engines = make_engines(url)
    tmp = out.with_name(out.name + ".partial")
    try:
        with engines.read.begin() as connection, tmp.open("w", encoding="utf-8") as handle:
            head = connection.execute(select(models.LedgerHead.__table__)).one()
            _line(
                handle,
                {
                    "kind": "header",
                    "format": FORMAT,
                    "origin": head.origin,
                    "public_key": head.public_key.hex(),
                    "tree_size": head.tree_size,
                },
            )
            for person in connection.execute(
                select(models.Participant.__table__).order_by(models.Participant.id)
            ):
                _line(
                    handle,
                    {
                        "kind": "participant",
                        "id": person.id,
                        "legal_name": person.legal_name,
                        "roles": person.roles,
                        "country": person.country,
                        "gs1_prefixes": person.gs1_prefixes or [],
                    },
                )
            for key in connection.execute(
                select(models.ParticipantKey.__table__).order_by(models.ParticipantKey.key_id)
            ):
                _line(
                    handle,
                    {
                        "kind": "key",
                        "key_id": key.key_id,
                        "participant_id": key.participant_id,
                        "public_key": key.public_key.hex(),
                        "valid_from": format_timestamp(key.valid_from),
                        "valid_until": format_timestamp(key.valid_until)
                        if key.valid_until
                        else None,
                        "revoked_at": format_timestamp(key.revoked_at) if key.revoked_at else None,
                    },
                )
            for cp in connection.execute(
                select(models.Checkpoint.__table__)
                .where(models.Checkpoint.tree_size <= head.tree_size)
                .order_by(models.Checkpoint.tree_size)
            ):
                _line(
                    handle,
                    {
                        "kind": "checkpoint",
                        "tree_size": cp.tree_size,
                        "root_hash": cp.root_hash.hex(),
                        "timestamp": cp.timestamp,
                        "note": cp.note,
                    },
                )
            # Feature lines come before the entries so a streaming verifier can use them.
            for section in sections:
                for obj in section(connection):
                    _line(handle, obj)
            start = 0
            while start < head.tree_size:
                rows = list(
                    connection.execute(
                        select(models.Entry.__table__)
                        .where(models.Entry.seq >= start, models.Entry.seq < head.tree_size)
                        .order_by(models.Entry.seq)
                        .limit(PAGE)
                    )
                )
                if not rows:
                    break
                for row in rows:
                    body = json.loads(row.canonical)
                    body["signature"] = row.signature.hex()
                    _line(
                        handle,
                        {
                            "kind": "entry",
                            "seq": row.seq,
                            "event": body,
                            "leaf_hash": row.leaf_hash.hex(),
                            "chain_hash": row.chain_hash.hex(),
                            "recorded_at": format_timestamp(row.recorded_at),
                            "format": row.format,
                        },
                    )
                start = rows[-1].seq + 1
                if progress is not None:
                    progress(start, head.tree_size)
        tmp.replace(out)
        return int(head.tree_size)
    except NoResultFound:
        raise LedgerError(f"no ledger in {url}") from None
    except SQLAlchemyError as exc:
        raise LedgerError(f"cannot read the ledger database: {exc.__class__.__name__}") from None
    except OSError as exc:
        raise LedgerError(f"cannot write {out}: {exc.strerror}", field="out") from None
    finally:
        tmp.unlink(missing_ok=True)
        engines.dispose()
