"""Verify a ledger in its database: every entry, checkpoint and stored subtree hash.

Reads entries page by page (keyset on ``seq``) and feeds them to the streaming verifier;
the interior Merkle nodes that proofs are served from are recomputed alongside and compared
with the stored ones page by page, so a corrupted node cannot hand out a false proof.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import SQLAlchemyError

from ledger.audit.projections import check_projections
from ledger.core.checkpoint import SignedCheckpoint
from ledger.core.errors import LedgerError
from ledger.core.events import Event
from ledger.core.keybook import OPERATOR
from ledger.core.merkle.nodes import NodeId
from ledger.storage import models
from ledger.storage.db import make_engines
from ledger.storage.projections import Projector, Projectors
from ledger.verification.stream import RawEntry, Report, StreamVerifier, fail

_COLUMNS = ("event_id", "flow", "type", "actor", "key_id", "occurred_at")
PAGE = 5000


def verify_database(
    url: str,
    *,
    pinned_key: bytes | None = None,
    progress: Callable[[int, int], None] | None = None,
    threads: int = 2,
    extra_projectors: Iterable[Projector] = (),
) -> Report:
    """Verify the ledger at ``url`` in one snapshot; raise :class:`VerificationFailed`.

    Projections are those installed (entry points) plus ``extra_projectors``.
    """
    engines = make_engines(url)
    projectors = Projectors.installed(extra_projectors)
    try:
        with engines.read.connect() as connection:
            report = _verify(connection, pinned_key, progress, threads)
            for check in check_projections(connection, projectors):
                if check.rows < 0:
                    report.notes.append(
                        f"projection {check.name} is not installed here and was not checked"
                    )
                else:
                    report.projections[check.name] = check.rows
            return report
    except SQLAlchemyError as exc:
        raise fail(
            None, f"cannot read the ledger database: {exc.__class__.__name__}: {exc}"
        ) from None
    finally:
        engines.dispose()


def _verify(
    connection: Connection,
    pinned_key: bytes | None,
    progress: Callable[[int, int], None] | None,
    threads: int,
) -> Report:
    head = connection.execute(select(models.LedgerHead.__table__)).first()
    if head is None:
        raise fail(None, "no ledger in this database")
    public_key = pinned_key or head.public_key
    if public_key != head.public_key:
        raise fail(None, "the database names another ledger key than the pinned one")
    checkpoints = []
    for row in connection.execute(
        select(models.Checkpoint.__table__).order_by(models.Checkpoint.tree_size)
    ):
        try:
            signed = SignedCheckpoint.parse(row.note)
        except LedgerError as exc:
            raise fail(None, f"checkpoint at size {row.tree_size}: {exc.detail}") from None
        if (signed.checkpoint.tree_size, signed.checkpoint.root_hash) != (
            row.tree_size,
            row.root_hash,
        ):
            raise fail(
                None, f"checkpoint row at size {row.tree_size} disagrees with its signed note"
            )
        checkpoints.append(signed)
    computed: dict[tuple[int, int], bytes] = {}

    def collect(_seq: int, nodes: list[tuple[NodeId, bytes]]) -> None:
        for node, digest in nodes:
            computed[node.level, node.index] = digest

    verifier = StreamVerifier(
        public_key, head.origin, checkpoints, threads=threads, on_nodes=collect
    )
    total = max(head.tree_size, 0)
    entries = models.Entry.__table__
    from_canonical, feed = Event.from_canonical, verifier.feed
    start = 0
    ref_count = 0
    while True:
        rows = connection.execute(
            select(
                entries.c.seq,
                entries.c.canonical,
                entries.c.signature,
                entries.c.leaf_hash,
                entries.c.chain_hash,
                entries.c.recorded_at,
                entries.c.format,
                entries.c.event_id,
                entries.c.flow,
                entries.c.type,
                entries.c.actor,
                entries.c.key_id,
                entries.c.occurred_at,
            )
            .where(entries.c.seq >= start)
            .order_by(entries.c.seq)
            .limit(PAGE)
        ).all()
        count = len(rows)
        refs: dict[int, set[tuple[str, str]]] = {}
        for seq, canonical, signature, leaf_hash, chain_hash, recorded, fmt, *columns in rows:
            try:
                event = from_canonical(canonical, signature)
            except LedgerError as exc:
                raise fail(seq, f"stored event is malformed: {exc}") from None
            feed(RawEntry(seq, event, leaf_hash, chain_hash, recorded, fmt))
            claimed = (
                event.id,
                event.flow,
                event.type,
                event.actor,
                event.key_id,
                event.occurred_at,
            )
            if tuple(columns) != claimed:
                name = next(n for n, c, e in zip(_COLUMNS, columns, claimed, strict=True) if c != e)
                raise fail(seq, f"the {name} column disagrees with the signed event")
            wanted = {(subject, "subject") for subject in event.subjects}
            wanted.add((event.actor, "actor"))
            refs[seq] = wanted
        del rows
        end = verifier.report.tree_size
        ref_count += _check_refs(connection, start, end, refs)
        _check_nodes(connection, start, end, computed)
        computed.clear()
        if progress is not None:
            progress(end, total)
        if count < PAGE:
            break
        start = end
    report = verifier.finish()
    if head.tree_size != report.tree_size:
        raise fail(
            report.tree_size,
            f"the head says {head.tree_size} entries but {report.tree_size} are stored",
        )
    if head.chain_hash != report.chain_hash:
        raise fail(report.tree_size - 1, "the head's chain hash differs from the recomputed one")
    expected_nodes = sum(
        report.tree_size >> level for level in range(1, report.tree_size.bit_length() + 1)
    )
    stored_nodes = connection.execute(
        select(func.count()).select_from(models.MerkleNode)
    ).scalar_one()
    if stored_nodes != expected_nodes:
        raise fail(None, f"{stored_nodes} stored subtree hashes where {expected_nodes} belong")
    report.nodes_checked = expected_nodes
    stored_refs = connection.execute(select(func.count()).select_from(models.EntryRef)).scalar_one()
    if stored_refs != ref_count:
        raise fail(None, f"{stored_refs} index references where {ref_count} belong")
    _check_registry(connection, verifier)
    return report


def _check_nodes(
    connection: Connection, start: int, end: int, computed: dict[tuple[int, int], bytes]
) -> None:
    """Compare the stored nodes completed by leaves [start, end) with the recomputed ones.

    Nodes are keyed ``(level, index)`` here; a :class:`NodeId` is only built to name one.
    """
    stored: dict[tuple[int, int], bytes] = {}
    level = 1
    while (1 << level) <= end:
        low = ((start + (1 << level)) >> level) - 1
        high = (end >> level) - 1
        if low <= high:
            rows = connection.execute(
                select(models.MerkleNode.idx, models.MerkleNode.hash).where(
                    models.MerkleNode.level == level, models.MerkleNode.idx.between(low, high)
                )
            ).all()
            stored.update({(level, idx): digest for idx, digest in rows})
        level += 1
    for key, digest in computed.items():
        if stored.get(key) != digest:
            node = NodeId(*key)
            what = "is missing" if key not in stored else "differs from the recomputed hash"
            raise fail(node.end - 1, f"stored subtree hash {node} {what}")
    if len(stored) != len(computed):
        extra = set(stored) - set(computed)
        raise fail(None, f"stored subtree hash {NodeId(*min(extra))} has no place")


def _check_refs(
    connection: Connection, start: int, end: int, wanted: dict[int, set[tuple[str, str]]]
) -> int:
    """The participant and item index of entries [start, end) must be exactly what they sign.

    A row missing here hides an entry from a participant's or an item's query; an extra
    one makes an entry answer for someone it never named. Returns the rows expected.
    """
    stored: dict[int, set[tuple[str, str]]] = {}
    rows = connection.execute(
        select(models.EntryRef.seq, models.EntryRef.ref, models.EntryRef.role).where(
            models.EntryRef.seq >= start, models.EntryRef.seq < end
        )
    )
    for seq, ref, role in rows:
        stored.setdefault(seq, set()).add((ref, role))
    for seq in sorted(wanted):
        if stored.get(seq, set()) != wanted[seq]:
            raise fail(seq, "entry_refs (the participant and item index) disagree with the event")
    return sum(len(refs) for refs in wanted.values())


def _check_registry(connection: Connection, verifier: StreamVerifier) -> None:
    """The participants and keys tables must say exactly what the signed registry says."""
    book = verifier.book
    seen_keys = set()
    for row in connection.execute(select(models.ParticipantKey.__table__)):
        state = book.keys.get(row.key_id)
        if state is None or (state.participant_id, state.public_key) != (
            row.participant_id,
            row.public_key,
        ):
            raise fail(None, f"key table row {row.key_id} is not backed by a registry entry")
        if (row.revoked_at is None) != (state.revoked_at is None):
            raise fail(None, f"key table row {row.key_id} disagrees on revocation")
        window = (row.valid_from, row.valid_until)
        if window != (state.valid_from, state.valid_until) and state.participant_id != OPERATOR:
            raise fail(None, f"key table row {row.key_id} disagrees on its validity window")
        seen_keys.add(row.key_id)
    if missing := set(book.keys) - seen_keys:
        raise fail(None, f"registered key {min(missing)} has no row in the key table")
    seen_people = set()
    for row in connection.execute(select(models.Participant.__table__)):
        person = book.participants.get(row.id)
        stored = (row.legal_name, tuple(row.roles), row.country, tuple(row.gs1_prefixes or ()))
        if person is None or stored != (
            person.legal_name,
            person.roles,
            person.country,
            person.gs1_prefixes,
        ):
            raise fail(None, f"participant {row.id} disagrees with the registry entries")
        seen_people.add(row.id)
    if missing := set(book.participants) - seen_people:
        raise fail(None, f"registered participant {min(missing)} has no row")
