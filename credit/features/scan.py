"""The feature pass over a ledger: one streaming scan of the as-of tree, in sequence order.

All participants come from one ``SELECT`` of the rows the fold reads
(:mod:`credit.features.rows`), never a query per participant; over a large tree, from two,
one for each half of the fold's types, folded on two cores (:mod:`credit.features.halves`).
Asked for a few participants, the same fold runs over the entries naming them, so their
features come out the same as in the full pass, at a fraction of the cost.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
import pandas as pd
from sqlalchemy import Connection, bindparam, func, select, union_all

from credit.features import halves
from credit.features.catalogue import FEATURE_SCHEMA_HASH, NAMES
from credit.features.fold import TYPES, Fold
from credit.features.rows import fetch, naming
from ledger.core.errors import InvalidEvent
from ledger.log import Ledger
from ledger.storage import reads
from ledger.storage.models import Entry

MAX_PARTICIPANTS = 1_000


@dataclass(frozen=True, slots=True)
class AsOf:
    """The checkpoint a feature vector was computed at: tree size, root, its time."""

    tree_size: int
    root_hash: str
    at: datetime

    def to_json(self) -> dict[str, object]:
        return {"tree_size": self.tree_size, "root_hash": self.root_hash, "at": self.at.isoformat()}


@dataclass(frozen=True)
class FeatureTable:
    """Features of participants at one as-of point (index: participant id)."""

    as_of: AsOf
    frame: pd.DataFrame
    roles: dict[str, str]
    bad_before: frozenset[str]  # in default, 90+ days past due or insolvent by then
    facilities: dict[str, str] = field(default_factory=dict)  # facility id -> borrower
    entries: int = 0  # the entries the pass read (of the types it folds)
    schema_hash: str = FEATURE_SCHEMA_HASH

    def row(self, participant: str) -> pd.DataFrame:
        return self.frame.loc[[participant]]

    @cached_property
    def matrix(self) -> npt.NDArray[np.float64]:
        """The features as one float matrix (rows and columns as in ``frame``), made once:
        scoring one participant then reads a row instead of copying the whole table."""
        return self.frame.to_numpy(dtype=np.float64)


def as_of_point(ledger: Ledger, connection: Connection, tree_size: int | None) -> AsOf:
    """The as-of point of ``tree_size`` (default: the ledger's size): its root and time.

    Its time is the recording time of the newest entry of a type the pass reads (an order,
    a payment, a shipment...), not of the newest entry: scores recorded or consents given
    later, with no trade since, do not age every firm's activity. Found in one statement of
    per-type index lookups (``(type, seq)``), whatever the size of the ledger.
    """
    current = reads.tree_size(connection)
    size = current if tree_size is None else tree_size
    if not 1 <= size <= current:
        raise InvalidEvent(f"must be between 1 and the tree size {current}", field="tree_size")
    last = newest_read(connection, size)
    seq = size - 1 if last is None else last
    at = connection.execute(select(Entry.recorded_at).where(Entry.seq == seq)).scalar_one()
    return AsOf(size, ledger.proofs.root(size, connection).hex(), at)


# built once (one per-type index lookup for each of some forty types: building it cost
# more than running it)
_NEWEST = union_all(*(
    select(func.max(Entry.seq).label("seq")).where(Entry.type == t, Entry.seq < bindparam("size"))
    for t in sorted(TYPES)
)).subquery()  # fmt: skip
_NEWEST_READ = select(func.max(_NEWEST.c.seq))


def newest_read(connection: Connection, size: int) -> int | None:
    """The newest entry below ``size`` of a type the pass reads (None: there is none yet).

    Two tree sizes with the same newest such entry (not None) hold the same entries for the
    pass and the same as-of time: every feature vector is the same at both."""
    last = connection.execute(_NEWEST_READ, {"size": size}).scalar_one()
    return None if last is None else int(last)


def compute(
    ledger: Ledger, tree_size: int | None = None, participants: Collection[str] | None = None
) -> FeatureTable:
    """Features of every firm (or of ``participants``) at ``tree_size``, in one pass."""
    if participants is not None and not 1 <= len(participants) <= MAX_PARTICIPANTS:
        raise InvalidEvent(f"ask for 1 to {MAX_PARTICIPANTS} participants", field="participants")
    with ledger.reading() as connection:
        as_of = as_of_point(ledger, connection, tree_size)
        if participants is None and halves.worth_it(ledger.url, as_of.tree_size):
            fold = halves.fold_tree(ledger.url, connection, as_of.tree_size, as_of.at)
        else:
            fold = Fold(as_of.at).feed_all(fetch(connection, as_of.tree_size, participants))
    return table_from(fold, as_of, participants)


def table_from(
    fold: Fold, as_of: AsOf, participants: Collection[str] | None = None
) -> FeatureTable:
    """The fold's vectors as a frame (participants unknown to the tree get no row)."""
    only = None if participants is None else [p for p in participants if p in fold.parties]
    vectors = fold.vectors(only)
    frame = pd.DataFrame.from_dict(vectors, orient="index", columns=list(NAMES))
    frame.index.name = "participant"
    return FeatureTable(
        as_of,
        frame.astype("float64"),
        {p: fold.role(p) for p in vectors},
        frozenset(fold.bad),
        {fid: f.borrower for fid, f in fold.facilities.items()},
        fold.entries,
    )


def entries_of(
    ledger: Ledger, participant: str, tree_size: int | None = None
) -> tuple[AsOf, list[tuple[int, dict[str, Any]]]]:
    """``(seq, body)`` of the entries naming ``participant`` (and answers to its claims)."""
    with ledger.reading() as connection:
        as_of = as_of_point(ledger, connection, tree_size)
        stmt = select(Entry.seq, Entry.canonical).where(naming(as_of.tree_size, [participant]))
        found = [(int(s), orjson.loads(c)) for s, c in connection.execute(stmt.order_by(Entry.seq))]
    return as_of, found
