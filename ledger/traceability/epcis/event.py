"""One accepted EPCIS event: its normalised JSON-LD form, its hash ID and what it touches.

:class:`EpcisEvent` is what ingestion hands to the ledger. ``event`` is the JSON-LD dict to
store and to re-export (XML events arrive here in the same shape as their JSON twins);
``hash_id`` is its CBV event hash ID and ``hash_algorithm`` the profile that produced it.
The helpers list the identifiers the event mentions, in canonical GS1 Digital Link form
where they are GS1 keys, so a trace can follow an item whether it was written as an EPC
URN or as a Digital Link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from ledger.traceability.epcis import vocab
from ledger.traceability.epcis.digital_link import canonical_id_or_self
from ledger.traceability.epcis.errors import EpcisError
from ledger.traceability.epcis.hashid import DEFAULT_ALGORITHM, event_hash_id
from ledger.traceability.epcis.timestamps import to_utc_datetime

T = TypeVar("T")
_QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")


@dataclass(frozen=True, slots=True)
class BizTransaction:
    """A business transaction link: its type as a web URI (or ``None``) and its id."""

    type: str | None
    id: str


@dataclass(frozen=True, slots=True)
class EpcisEvent:
    """An EPCIS event accepted for the ledger. Build it with :meth:`from_event`.

    ``event`` is a plain dict so it can be stored as JSON; treat it as read-only, since
    ``hash_id`` was computed from it.
    """

    event: Mapping[str, Any] = field(hash=False)
    hash_id: str
    hash_algorithm: str
    event_type: str
    event_time: datetime
    # The identifiers read out of ``event``, kept once read: a capture asks for the same
    # lists many times (subjects, index rows, items, links) and ``event`` does not change.
    _memo: dict[Any, Any] = field(
        default_factory=dict, init=False, compare=False, hash=False, repr=False
    )

    @classmethod
    def from_event(
        cls, event: Mapping[str, Any], *, algorithm: str = DEFAULT_ALGORITHM
    ) -> EpcisEvent:
        """Wrap a normalised JSON-LD event, computing its hash ID under ``algorithm``."""
        event_type = event.get("type")
        if not isinstance(event_type, str) or not event_type:
            raise EpcisError("EPCIS event without a type", field="type")
        raw_time = event.get("eventTime")
        if not isinstance(raw_time, str):
            raise EpcisError("EPCIS event without an eventTime", field="eventTime")
        try:
            event_time = to_utc_datetime(raw_time)
        except (ValueError, OverflowError):
            raise EpcisError(
                f"eventTime is not a date-time: {raw_time!r}", field="eventTime"
            ) from None
        return cls(
            event=event,
            hash_id=event_hash_id(event, algorithm=algorithm),
            hash_algorithm=algorithm,
            event_type=event_type,
            event_time=event_time,
        )

    @classmethod
    def stored(cls, event: Mapping[str, Any], hash_id: str, algorithm: str) -> EpcisEvent:
        """An event read back from the ledger with the hash ID computed when it was captured."""
        return cls(
            event=event,
            hash_id=hash_id,
            hash_algorithm=algorithm,
            event_type=str(event["type"]),
            event_time=to_utc_datetime(str(event["eventTime"])),
        )

    def derived(self, name: str, compute: Callable[[EpcisEvent], T]) -> T:
        """``compute(self)``, computed once per event and kept (``event`` does not change):
        what a capture asks of one event several times, such as its index items."""
        key = ("derived", name)
        if key in self._memo:
            found: T = self._memo[key]
            return found
        value = self._memo[key] = compute(self)
        return value

    # -- what -------------------------------------------------------------------------
    @property
    def epc_list(self) -> tuple[str, ...]:
        return self.ids("epcList")

    @property
    def parent_id(self) -> str | None:
        return self._id(self.event.get("parentID"))

    @property
    def child_epcs(self) -> tuple[str, ...]:
        return self.ids("childEPCs")

    @property
    def input_epcs(self) -> tuple[str, ...]:
        return self.ids("inputEPCList")

    @property
    def output_epcs(self) -> tuple[str, ...]:
        return self.ids("outputEPCList")

    def quantity_classes(self, list_name: str | None = None) -> tuple[str, ...]:
        """The ``epcClass`` of every quantity element (of one list, or of all four)."""
        found: tuple[str, ...] | None = self._memo.get(("quantity", list_name))
        if found is not None:
            return found
        names = _QUANTITY_LISTS if list_name is None else (list_name,)
        found = self._memo[("quantity", list_name)] = tuple(
            canonical_id_or_self(q["epcClass"])
            for name in names
            for q in _as_list(self.event.get(name))
            if isinstance(q, dict) and isinstance(q.get("epcClass"), str)
        )
        return found

    @property
    def input_classes(self) -> tuple[str, ...]:
        return self.quantity_classes("inputQuantityList")

    @property
    def output_classes(self) -> tuple[str, ...]:
        return self.quantity_classes("outputQuantityList")

    @property
    def child_classes(self) -> tuple[str, ...]:
        return self.quantity_classes("childQuantityList")

    def item_ids(self) -> frozenset[str]:
        """Every object or class the event is about (what dimension), canonicalised."""
        ids = {*self.epc_list, *self.child_epcs, *self.input_epcs, *self.output_epcs}
        ids.update(self.quantity_classes())
        if self.parent_id is not None:
            ids.add(self.parent_id)
        return frozenset(ids)

    # -- why, where -------------------------------------------------------------------
    @property
    def action(self) -> str | None:
        value = self.event.get("action")
        return value if isinstance(value, str) else None

    @property
    def biz_step(self) -> str | None:
        """The business step as a web URI (bare terms and CBV URNs expanded)."""
        return self._vocab("bizStep", vocab.BIZ_STEP)

    @property
    def disposition(self) -> str | None:
        return self._vocab("disposition", vocab.DISPOSITION)

    @property
    def read_point(self) -> str | None:
        return self._location("readPoint")

    @property
    def biz_location(self) -> str | None:
        return self._location("bizLocation")

    @property
    def biz_transactions(self) -> tuple[BizTransaction, ...]:
        return self._links("bizTransactionList", "bizTransaction", vocab.BIZ_TRANSACTION_TYPE)

    @property
    def sources(self) -> tuple[BizTransaction, ...]:
        return self._links("sourceList", "source", vocab.SOURCE_DEST_TYPE)

    @property
    def destinations(self) -> tuple[BizTransaction, ...]:
        return self._links("destinationList", "destination", vocab.SOURCE_DEST_TYPE)

    # -- error declarations -----------------------------------------------------------
    @property
    def event_id(self) -> str | None:
        value = self.event.get("eventID")
        return value if isinstance(value, str) else None

    @property
    def is_error_declaration(self) -> bool:
        return isinstance(self.event.get("errorDeclaration"), dict)

    @property
    def declared_event_id(self) -> str | None:
        """For an error declaration, the ``eventID`` of the event it declares erroneous."""
        return self.event_id if self.is_error_declaration else None

    @property
    def corrective_event_ids(self) -> tuple[str, ...]:
        declaration = self.event.get("errorDeclaration")
        if not isinstance(declaration, dict):
            return ()
        return tuple(
            v for v in _as_list(declaration.get("correctiveEventIDs")) if isinstance(v, str)
        )

    # -- helpers ----------------------------------------------------------------------
    def ids(self, key: str) -> tuple[str, ...]:
        """The canonical ids of one of the event's EPC lists (``epcList``...), kept."""
        found: tuple[str, ...] | None = self._memo.get(key)
        if found is None:
            found = self._memo[key] = tuple(
                canonical_id_or_self(v) for v in _as_list(self.event.get(key)) if isinstance(v, str)
            )
        return found

    @staticmethod
    def _id(value: Any) -> str | None:
        return canonical_id_or_self(value) if isinstance(value, str) else None

    def _vocab(self, key: str, vocabulary: str) -> str | None:
        value = self.event.get(key)
        if not isinstance(value, str):
            return None
        return vocab.expand_curie(vocab.cbv_urn_to_web(vocab.expand_term(vocabulary, value)))

    def _location(self, key: str) -> str | None:
        value = self.event.get(key)
        return self._id(value.get("id")) if isinstance(value, dict) else None

    def _links(self, key: str, member: str, vocabulary: str) -> tuple[BizTransaction, ...]:
        found: tuple[BizTransaction, ...] | None = self._memo.get(key)
        if found is None:
            found = self._memo[key] = tuple(
                _link(item, member, vocabulary)
                for item in _as_list(self.event.get(key))
                if _has(item, member)
            )
        return found


def _has(item: Any, member: str) -> bool:
    return isinstance(item, dict) and isinstance(item.get(member), str)


def _link(item: dict[str, Any], member: str, vocabulary: str) -> BizTransaction:
    kind = item.get("type")
    kind_uri = None
    if isinstance(kind, str):
        kind_uri = vocab.expand_curie(vocab.cbv_urn_to_web(vocab.expand_term(vocabulary, kind)))
    return BizTransaction(type=kind_uri, id=canonical_id_or_self(item[member]))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
