"""The EPCIS 2.0 query parameters that matter, over the EPCIS index.

:meth:`EpcisQuery.parse` turns request parameters (each a list of values, as repeated in a
query string) into a frozen query, refusing unknown or malformed ones by name; identifiers
are compared in canonical form (an EPC URN matches its Digital Link) and vocabulary values
as web URIs (``shipping`` matches ``urn:epcglobal:cbv:bizstep:shipping``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from ledger.log import Ledger
from ledger.traceability import store
from ledger.traceability.epcis import EpcisEvent, vocab
from ledger.traceability.epcis.digital_link import canonical_id_or_self
from ledger.traceability.epcis.timestamps import to_utc_datetime
from ledger.traceability.errors import QueryError
from ledger.traceability.tables import EpcisEventRow, EpcisItem

MAX_LIMIT = 1000
MATCH_ROLES: dict[str, tuple[str, ...]] = {
    "MATCH_epc": ("epc", "child"),
    "MATCH_anyEPC": ("epc", "child", "parent", "input", "output"),
    "MATCH_parentID": ("parent",),
    "MATCH_inputEPC": ("input",),
    "MATCH_outputEPC": ("output",),
    "MATCH_epcClass": ("class", "child"),
}
_VOCAB = {"EQ_bizStep": vocab.BIZ_STEP, "EQ_disposition": vocab.DISPOSITION}
_LOCATIONS = ("EQ_readPoint", "EQ_bizLocation")
_BT = "EQ_bizTransaction_"
_ZONED = re.compile(r"(Z|[+-]\d\d:\d\d)$")
_CONTROL = ("limit", "after", "format", "eventType", "GE_eventTime", "LT_eventTime")


def expand(vocabulary: str, value: str) -> str:
    return vocab.expand_curie(vocab.cbv_urn_to_web(vocab.expand_term(vocabulary, value)))


@dataclass(frozen=True, slots=True)
class EpcisQuery:
    match: tuple[tuple[str, frozenset[str]], ...] = ()
    equals: tuple[tuple[str, frozenset[str]], ...] = ()
    biz_transactions: tuple[tuple[str, frozenset[str]], ...] = ()
    event_types: frozenset[str] = field(default_factory=frozenset)
    since: datetime | None = None
    until: datetime | None = None
    after: int | None = None
    limit: int = 100

    @classmethod
    def parse(cls, params: Mapping[str, Sequence[str]]) -> EpcisQuery:
        match, equals, bts = [], [], []
        for name, values in params.items():
            if not values or any(not v for v in values):
                raise QueryError("needs a value", field=name)
            if name in MATCH_ROLES:
                match.append((name, frozenset(canonical_id_or_self(v) for v in values)))
            elif name in _VOCAB:
                equals.append((name, frozenset(expand(_VOCAB[name], v) for v in values)))
            elif name in _LOCATIONS:
                equals.append((name, frozenset(canonical_id_or_self(v) for v in values)))
            elif name.startswith(_BT) and len(name) > len(_BT):
                kind = expand(vocab.BIZ_TRANSACTION_TYPE, name[len(_BT) :])
                bts.append((kind, frozenset(canonical_id_or_self(v) for v in values)))
            elif name not in _CONTROL:
                raise QueryError("is not a supported EPCIS query parameter", field=name)
        return cls(
            match=tuple(match),
            equals=tuple(equals),
            biz_transactions=tuple(bts),
            event_types=frozenset(params.get("eventType", ())),
            since=_time(params, "GE_eventTime"),
            until=_time(params, "LT_eventTime"),
            after=_int(params, "after", 0, 2**63 - 1),
            limit=_int(params, "limit", 1, MAX_LIMIT) or 100,
        )

    def statement(self) -> Select[Any]:
        stmt = select(EpcisEventRow.__table__)
        for name, values in self.match:
            stmt = stmt.where(
                EpcisEventRow.seq.in_(
                    select(EpcisItem.seq).where(
                        EpcisItem.item.in_(values), EpcisItem.role.in_(MATCH_ROLES[name])
                    )
                )
            )
        columns = {
            "EQ_bizStep": EpcisEventRow.biz_step,
            "EQ_disposition": EpcisEventRow.disposition,
            "EQ_readPoint": EpcisEventRow.read_point,
            "EQ_bizLocation": EpcisEventRow.biz_location,
        }
        for name, values in self.equals:
            stmt = stmt.where(columns[name].in_(values))
        for _, values in self.biz_transactions:
            stmt = stmt.where(
                EpcisEventRow.seq.in_(
                    select(EpcisItem.seq).where(EpcisItem.item.in_(values), EpcisItem.role == "bt")
                )
            )
        if self.event_types:
            stmt = stmt.where(EpcisEventRow.event_type.in_(self.event_types))
        if self.since is not None:
            stmt = stmt.where(EpcisEventRow.event_time >= self.since)
        if self.until is not None:
            stmt = stmt.where(EpcisEventRow.event_time < self.until)
        if self.after is not None:
            stmt = stmt.where(EpcisEventRow.seq > self.after)
        return stmt.order_by(EpcisEventRow.seq).limit(self.limit + 1)


def _one(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise QueryError("takes one value", field=name)
    return values[0]


def _time(params: Mapping[str, Sequence[str]], name: str) -> datetime | None:
    text = _one(params, name)
    if text is None:
        return None
    if not _ZONED.search(text):
        raise QueryError("must carry a time zone (Z or +hh:mm)", field=name)
    try:
        return to_utc_datetime(text)
    except (ValueError, OverflowError):
        raise QueryError("must be an ISO 8601 date-time with a time zone", field=name) from None


def _int(params: Mapping[str, Sequence[str]], name: str, low: int, high: int | None) -> int | None:
    text = _one(params, name)
    if text is None:
        return None
    if len(text) > 20:
        raise QueryError("must be an integer", field=name)
    try:
        value = int(text)
    except ValueError:
        raise QueryError("must be an integer", field=name) from None
    if value < low or (high is not None and value > high):
        raise QueryError(f"must be between {low} and {high or 'any'}", field=name)
    return value


@dataclass(frozen=True, slots=True)
class Found:
    seq: int
    hash_id: str
    event: dict[str, Any]


def find(ledger: Ledger, query: EpcisQuery) -> tuple[list[Found], int | None]:
    """One page of matching EPCIS events in ledger order, and the cursor of the next page."""
    with ledger.reading() as connection:
        rows = list(connection.execute(query.statement()))
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        entries = store.entries(connection, [r.seq for r in rows])
    out = []
    for row in rows:
        epcis = dict(entries[row.seq].event.payload["epcis"])
        if query.biz_transactions and not _has_transactions(row, epcis, query):
            continue
        out.append(Found(row.seq, row.hash_id, epcis))
    return out, rows[-1].seq if more and rows else None


def _has_transactions(row: Any, epcis: dict[str, Any], query: EpcisQuery) -> bool:
    event = EpcisEvent(epcis, row.hash_id, row.hash_algorithm, row.event_type, row.event_time)
    present = {(bt.type, bt.id) for bt in event.biz_transactions}
    return all(
        any((kind, value) in present for value in values) for kind, values in query.biz_transactions
    )
