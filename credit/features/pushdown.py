"""The full feature pass on both cores: order-free counts in the database, the rest folded.

The fold (:mod:`credit.features.fold`) needs ledger order only where an entry is tied to
its participant through an earlier one (a delivery to its seller through the shipment, a
review through the order). The rest is counting, and counts do not depend on order, so the
database takes it, on a second connection in a thread, while the fold reads its rows (the
database computes an aggregate outside Python's lock, so both cores work); SQLite and
PostgreSQL alike:

- answers to claims (a fifth of the rows) are not streamed: the first answer to each claim
  below the tree size is read from the ``trust.claims`` projection (``claim_parties``: a
  party answers a claim once, after it, and an answer to anything else was refused), so a
  claim answered after the as-of point counts as unanswered, as in the fold;
- invoices (their party is their actor) and payments (payer and payee in the payload) are
  counted per party with their answers, never streamed;
- entries whose handler does nothing outside their window but count the actor's tenure
  (packing, customs, losses, cancellations, reviews, disputes) are streamed inside it;
- the tenure of the rows not streamed is a ``min(occurred_at)`` per actor, which the fold
  keeps if it is older than the first act it saw.

Every count added here is a whole number, and whole numbers below 2**53 add up to the same
float in any order and grouping, so the features are bit for bit those of the fold over
every row (pinned in ``tests/credit/test_feature_fold.py`` on both backends). Measured in
``bench/RESULTS.md`` ("The feature pass on both cores").
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Executable,
    Integer,
    Numeric,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import aliased

from credit.features.fold import ANSWER_TYPES, TYPES, Fold
from credit.features.party import INVOICE, PAYMENT
from ledger.core.events import format_timestamp
from ledger.log import Ledger
from ledger.storage.db import MMAP_BYTES
from ledger.storage.models import Entry
from ledger.trust.tables import Claim, ClaimParty

BATCH = 5_000
INVOICES, PAYMENTS, DELIVERIES = "invoice.issued", "payment.made", "shipment.delivered"
RECENT_ONLY = frozenset({"goods.packed", "order.cancelled"})
"""Types whose handler does nothing before the 90-day window (but its actor's tenure)."""
HALF_YEAR_ONLY = frozenset({
    "customs.declared", "customs.held", "goods.lost", "review.posted", "dispute.opened"
})  # fmt: skip
"""The same for the 180-day window."""
COUNTED = frozenset({INVOICES, PAYMENTS})
STREAMED = TYPES - COUNTED - ANSWER_TYPES - RECENT_ONLY - HALF_YEAR_ONLY
"""Types streamed to the fold in full: they make or read the maps that need ledger order."""
# (answers, invoices and payments: see _count)


def feed(ledger: Ledger, connection: Connection, tree_size: int, fold: Fold) -> Fold:
    """Every firm's features at ``tree_size`` into ``fold``: the rows that need ledger
    order streamed to it on ``connection`` while the database counts the rest on a second
    connection in a thread (the database works outside Python's lock, so the pass keeps
    both cores busy), then the counts added.

    The second connection's snapshot is as new as the first's or newer, and every row and
    answer it reads is below ``tree_size``, which no later append changes."""
    edges = _Edges(fold)
    with ThreadPoolExecutor(1, thread_name_prefix="credit-counts") as pool:
        pending = pool.submit(_count_apart, ledger, tree_size, edges)
        fold.feed_all(_stream(connection, tree_size, edges))
        # the answers to deliveries, a row each, on this thread: rows handed to Python in
        # both threads at once would pass Python's lock back and forth at every row
        fold.settle(_answers(connection, tree_size, DELIVERIES))
        counts = pending.result()
    counts.add_to(fold)
    return fold


@dataclass(slots=True)
class _Counts:
    """What the database counted, as plain rows, added to the fold once its stream is in."""

    invoices: list[tuple[Any, ...]]  # issuer, mature, confirmed, rejected, rejected lately
    payments: list[tuple[Any, ...]]  # payer, payee, and the counts of _payments
    firsts: list[tuple[str, str]]  # actor, first act among the rows not streamed
    rows: int  # rows of the types read not streamed

    def add_to(self, fold: Fold) -> None:
        for actor_id, occ in self.firsts:
            actor = fold.party(actor_id)
            if actor.first is None or occ < actor.first:
                actor.first = occ
        for issuer, n, yes, no, no_180 in self.invoices:
            c = fold.party(issuer).c
            c["inv_mature"] += n
            c[INVOICE.confirmed] += yes
            c[INVOICE.rejected] += no
            c["inv_rejected_180"] += no_180
        for payer_id, payee_id, n, n_late, days, mature, yes, no in self.payments:
            payer, payee = fold.party(payer_id), fold.party(payee_id)
            payee.c["recv_180"] += n
            payee.c["recv_late_180"] += n_late
            payer.c["paid_180"] += n
            payer.c["paid_late_days_180"] += days
            payer.c["paid_mature"] += mature
            payer.c[PAYMENT.confirmed] += yes
            payer.c[PAYMENT.rejected] += no
        fold.entries += self.rows


def _count_apart(ledger: Ledger, tree_size: int, edges: _Edges) -> _Counts:
    """:func:`_count` on a connection of its own. On SQLite it reads the file without the
    readers' map: a second map of the same file would count its pages twice in the
    process's resident memory (shared page cache, but reported as the pass's peak)."""
    with ledger.reading() as connection:
        if not ledger.engines.is_sqlite:
            return _count(connection, tree_size, edges)
        connection.exec_driver_sql("PRAGMA mmap_size=0")
        try:
            return _count(connection, tree_size, edges)
        finally:
            connection.exec_driver_sql(f"PRAGMA mmap_size={MMAP_BYTES}")


def _count(connection: Connection, tree_size: int, edges: _Edges) -> _Counts:
    answers = connection.execute(
        select(func.count()).where(Entry.seq < tree_size, Entry.type.in_(sorted(ANSWER_TYPES)))
    ).scalar_one()
    firsts: list[tuple[str, str]] = []
    rows = int(answers)
    for actor, first, n, streamed in connection.execute(_windowed(tree_size, edges)):
        firsts.append((str(actor), format_timestamp(first)))
        rows += int(n) - int(streamed)
    invoices: list[tuple[Any, ...]] = []
    for actor, first, n, *counts in connection.execute(_invoices(tree_size, edges)):
        firsts.append((str(actor), format_timestamp(first)))
        rows += int(n)
        invoices.append((str(actor), *map(int, counts)))
    payments: list[tuple[Any, ...]] = []
    for actor, first, n, payer, payee, *counts in connection.execute(
        _payments(connection, tree_size, edges)
    ):
        firsts.append((str(actor), format_timestamp(first)))
        rows += int(n)
        payments.append((str(payer), str(payee), *map(int, counts)))
    return _Counts(
        invoices,
        payments,
        firsts,
        rows,
    )


def _windowed(tree_size: int, edges: _Edges) -> Executable:
    """Per actor, over the rows of the windowed types: the first act, the rows, and those
    inside their window (streamed)."""
    streamed = case((edges.in_window(), 1), else_=0)
    return (
        select(Entry.actor, func.min(Entry.occurred_at), func.count(), func.sum(streamed))
        .where(Entry.seq < tree_size, Entry.type.in_(sorted(RECENT_ONLY | HALF_YEAR_ONLY)))
        .group_by(Entry.actor)
    )


class _Edges:
    """The fold's window edges as bound times for the database's ``occurred_at``."""

    def __init__(self, fold: Fold) -> None:
        self.recent = _moment(fold.recent)
        self.half_year = _moment(fold.half_year)
        self.mature_by = _moment(fold.mature_by)

    def in_window(self) -> ColumnElement[bool]:
        """A row of a windowed type the fold reads: inside its window."""
        kind = Entry.type + literal("")
        return or_(
            and_(kind.in_(sorted(RECENT_ONLY)), Entry.occurred_at >= self.recent),
            and_(kind.in_(sorted(HALF_YEAR_ONLY)), Entry.occurred_at >= self.half_year),
        )


def _moment(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def _stream(connection: Connection, tree_size: int, edges: _Edges) -> Iterator[Any]:
    """``(type, canonical)`` of the rows the fold needs, in sequence order (``type || ''``
    keeps the database walking the tree in order, as :func:`credit.features.scan.rows`):
    the types that need ledger order, and the windowed types inside their window."""
    kind = Entry.type + literal("")
    stmt = select(Entry.type, Entry.canonical).where(
        Entry.seq < tree_size, or_(kind.in_(sorted(STREAMED)), edges.in_window())
    )
    stmt = stmt.order_by(Entry.seq)
    if connection.dialect.name != "sqlite":  # a server-side cursor, read in batches
        yield from connection.execution_options(yield_per=BATCH).execute(stmt)
        return
    # SQLite steps its cursor a row at a time anyway: its own (type, bytes) tuples, read
    # straight from it, save SQLAlchemy's row objects; the streaming options would have
    # SQLAlchemy take the first row before the cursor is read
    result = connection.execute(stmt)
    cursor: Iterator[Any] = result.cursor  # type: ignore[assignment]  # sqlite3's iterates
    try:
        yield from cursor
    finally:
        result.close()


def _first_answer(claim_seq: Any, tree_size: int) -> Any:
    """The sequence number of the first answer to the claim at ``claim_seq`` in the tree."""
    return (
        select(func.min(ClaimParty.answered_seq))
        .where(ClaimParty.claim_seq == claim_seq, ClaimParty.answered_seq < tree_size)
        .scalar_subquery()
    )


def _first_status(claim_seq: Any, tree_size: int) -> Any:
    """How the claim at ``claim_seq`` was first answered in the tree: ``confirmed``,
    ``rejected`` (the answering party's status in ``claim_parties``), or NULL."""
    return (
        select(ClaimParty.status)
        .where(ClaimParty.claim_seq == claim_seq, ClaimParty.answered_seq < tree_size)
        .order_by(ClaimParty.answered_seq)
        .limit(1)
        .scalar_subquery()
    )


def _answers(connection: Connection, tree_size: int, claim_type: str) -> dict[str, str]:
    """Event id -> the type of the first answer, of the claims of ``claim_type`` answered
    in the tree (from the projection alone: no answer entry is read)."""
    first = (
        select(Claim.event_id, _first_status(Claim.seq, tree_size).label("status"))
        .where(Claim.type == claim_type, Claim.seq < tree_size)
        .subquery()
    )
    stmt = select(first.c.event_id, first.c.status).where(first.c.status.is_not(None))
    return {str(event_id): _ANSWER[status] for event_id, status in connection.execute(stmt)}


_ANSWER = {"confirmed": "claim.confirmed", "rejected": "claim.rejected"}


def _answered(answer: Any, edges: _Edges, *, confirmed: bool) -> ColumnElement[int]:
    """1 for a mature claim whose first answer confirmed (or rejected) it, else 0."""
    atype = "claim.confirmed" if confirmed else "claim.rejected"
    return case((and_(Entry.occurred_at <= edges.mature_by, answer.type == atype), 1), else_=0)


def _invoices(tree_size: int, edges: _Edges) -> Executable:
    """Per issuer: its first invoice, its invoices, the mature ones and how their claims
    were answered in the tree (rejections in the last 180 days apart)."""
    answer = aliased(Entry)
    mature = case((Entry.occurred_at <= edges.mature_by, 1), else_=0)
    late_no = case(
        (
            and_(
                Entry.occurred_at <= edges.mature_by,
                answer.type == "claim.rejected",
                answer.occurred_at >= edges.half_year,
            ),
            1,
        ),
        else_=0,
    )
    stmt = (
        select(
            Entry.actor,
            func.min(Entry.occurred_at),
            func.count(),
            func.sum(mature),
            func.sum(_answered(answer, edges, confirmed=True)),
            func.sum(_answered(answer, edges, confirmed=False)),
            func.sum(late_no),
        )
        .outerjoin(answer, answer.seq == _first_answer(Entry.seq, tree_size))
        .where(Entry.type == INVOICES, Entry.seq < tree_size)
        .group_by(Entry.actor)
    )
    return stmt


def _payments(connection: Connection, tree_size: int, edges: _Edges) -> Executable:
    """Per actor, payer and payee: the first payment, the payments, those for invoices in
    the last 180 days, the late ones and their days late, the mature ones and how their
    claims were answered in the tree."""
    field = _payload_field(connection)
    answer = aliased(Entry)
    for_invoice = and_(
        Entry.occurred_at >= edges.half_year,
        or_(field.text("purpose") == "invoice", field.has("invoice_id")),
    )
    late = field.integer("days_late")
    each = (  # a row a payment, its fields read once (PostgreSQL groups by columns alone)
        select(
            Entry.actor,
            Entry.occurred_at,
            field.text("payer").label("payer"),
            field.text("payee").label("payee"),
            case((for_invoice, 1), else_=0).label("n"),
            case((and_(for_invoice, late > 0), 1), else_=0).label("late"),
            case((for_invoice, late), else_=0).label("days"),
            case((Entry.occurred_at <= edges.mature_by, 1), else_=0).label("mature"),
            _answered(answer, edges, confirmed=True).label("yes"),
            _answered(answer, edges, confirmed=False).label("no"),
        )
        .outerjoin(answer, answer.seq == _first_answer(Entry.seq, tree_size))
        .where(Entry.type == PAYMENTS, Entry.seq < tree_size)
        .subquery()
    )
    c = each.c
    sums = (func.sum(x) for x in (c.n, c.late, c.days, c.mature, c.yes, c.no))
    return select(c.actor, func.min(c.occurred_at), func.count(), c.payer, c.payee, *sums).group_by(
        c.actor, c.payer, c.payee
    )


class _PayloadField:
    """A field of an entry's payload as the database reads it from ``canonical``."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres
        body = func.convert_from(Entry.canonical, literal("UTF8")) if postgres else None
        self._jsonb = cast(body, JSONB) if body is not None else None
        self._text = cast(Entry.canonical, Text)

    def text(self, key: str) -> ColumnElement[Any]:
        if self._jsonb is not None:
            field: ColumnElement[Any] = self._jsonb["payload"][key].astext
            return field
        return func.json_extract(self._text, f"$.payload.{key}")

    def has(self, key: str) -> ColumnElement[bool]:
        """The key is there (even holding null), as ``key in payload``."""
        if self._jsonb is not None:
            there: ColumnElement[bool] = self._jsonb["payload"].has_key(key)
            return there
        return func.json_type(self._text, f"$.payload.{key}").is_not(None)

    def integer(self, key: str) -> ColumnElement[int]:
        """``int(payload.get(key, 0))``: a number truncated towards zero."""
        if self._jsonb is not None:
            number = cast(func.coalesce(self.text(key), "0"), Numeric)
            return cast(func.trunc(number), BigInteger)
        return cast(func.coalesce(self.text(key), 0), Integer)


def _payload_field(connection: Connection) -> _PayloadField:
    return _PayloadField(connection.dialect.name == "postgresql")
