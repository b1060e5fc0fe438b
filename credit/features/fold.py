"""The feature pass as a pure fold over stored entries, in ledger order.

:class:`Fold` is fed ``(type, canonical bytes)`` of each entry of the as-of tree, in
sequence order, and keeps per-participant counters (:mod:`credit.features.party`) plus the
few maps that tie later events to their participant (an order to its seller, a shipment to
its seller, a lot to its owner, a facility to its borrower, a receipt to its holder, a claim
to the party it speaks for). Confirmations are read from ``claim.confirmed`` and
``claim.rejected`` entries in the same tree, so a claim confirmed after the as-of point
counts as unconfirmed, as it was then. Nothing here reads a database or a clock: the same
bodies give the same features, whether they come from SQLite, PostgreSQL or a simulation.

Speed and memory (the pass reads every entry of the tree):

- times are compared as text, against window edges found once per pass
  (:mod:`credit.features.stamps`); floats are made only where a figure needs one;
- an entry is decoded into the few fields its handler reads (:mod:`credit.features.body`),
  the rest of its bytes skipped unbuilt;
- an answer to a claim is read from its bytes (``claim_id``, actor), never parsed;
- the maps keep one shared string per participant id (:func:`sys.intern`), not a copy per
  order, shipment or lot; an order keeps its seller and, once accepted, its acceptance time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from sys import intern
from typing import Any

import msgspec
from msgspec import Struct

from credit.features import fold_finance, fold_information, fold_logistics
from credit.features.body import Body, Nothing, Reader, decoder, reads
from credit.features.catalogue import HALF_YEAR_DAYS, MATURE_DAYS, RECENT_DAYS
from credit.features.party import INVOICE, Claim, Facility, Party
from credit.features.stamps import STAMP_LENGTH, cutoff, fixed

FIRMS = frozenset({"seller", "buyer"})
WEEK_DAYS = 7
# the payload's own first key: the envelope's keys before "payload" hold only strings (an
# escaped quote cannot end one early), so a match is the payload's first key
_CLAIM_ID = b',"payload":{"claim_id":"'


class _Claimed(Struct, gc=False):
    claim_id: Any


class _Answer(Struct, gc=False):
    """What the pass reads of an answer: the claim answered (the payload's own claim id,
    never one nested under another key), who answered, when."""

    actor: str
    occurred_at: str
    payload: _Claimed


_decode_answer = msgspec.json.Decoder(_Answer).decode


class Fold:
    """Running state of one feature pass at the as-of time ``as_of``."""

    __slots__ = (
        "accepted",
        "applications",
        "as_of",
        "bad",
        "claims",
        "deferred",
        "entries",
        "facilities",
        "half_year",
        "lots",
        "mature_by",
        "orders",
        "parties",
        "receipts",
        "recent",
        "shipments",
        "t",
        "week",
    )

    def __init__(self, as_of: datetime, *, defer_answers: bool = False) -> None:
        self.as_of = as_of
        self.t = t = as_of.timestamp()
        self.week = cutoff(t, WEEK_DAYS, newer=True)  # occurred_at >= this: last 7 days
        self.recent = cutoff(t, RECENT_DAYS, newer=True)  # last 90 days
        self.half_year = cutoff(t, HALF_YEAR_DAYS, newer=True)  # last 180 days
        self.mature_by = cutoff(t, MATURE_DAYS, newer=False)  # occurred_at <= this: mature
        self.parties: dict[str, Party] = {}
        self.orders: dict[str, str] = {}  # order id -> seller
        self.accepted: dict[str, str] = {}  # order id -> when it was accepted
        self.shipments: dict[str, str] = {}  # shipment id -> seller
        self.lots: dict[str, str] = {}  # lot id -> owner
        self.facilities: dict[str, Facility] = {}
        self.applications: dict[str, str] = {}  # application id -> applicant
        self.receipts: dict[str, str] = {}  # receipt id -> holder
        self.claims: dict[str, tuple[Party, Claim]] = {}  # event id -> (party, its counters)
        self.bad: set[str] = set()  # defaulted, 90+ days past due or insolvent in the tree
        self.entries = 0
        # claim id -> its first answer that found no claim here (type, actor, time): kept
        # by a fold over some of the types, for the fold that follows the claim (absorb);
        # sent between processes, so the type and actor are shared strings, and the time is
        # kept only for a rejection (the only answer whose time counts)
        self.deferred: dict[str, tuple[str, str, str]] | None = {} if defer_answers else None

    # -- the fold ---------------------------------------------------------------------
    def feed(self, etype: str, canonical: bytes) -> None:
        """One stored entry (see :meth:`feed_all`)."""
        self.feed_all(((etype, canonical),))

    def feed_all(self, entries: Iterable[tuple[str, bytes]]) -> Fold:
        """Stored entries ``(type, canonical bytes)`` in ledger order, each parsed only when
        the pass reads its type, into the fields its handler reads; an answer to a claim is
        read from its bytes, and only when it answers a claim the pass follows. One loop with
        its lookups held in locals: it runs once per entry of the tree. (Reading other
        entries' few fields from their bytes was tried: a parse by orjson cost about as much
        as the few searches.)"""
        readers, parties, answer = _READERS, self.parties, self._answer
        count = 0
        for etype, canonical in entries:
            count += 1
            reader = readers.get(etype)
            if reader is None:
                if etype in ANSWER_TYPES:
                    answer(etype, canonical)
                continue
            decode, handler = reader
            body = decode(canonical)
            occ = body.occurred_at
            if len(occ) != STAMP_LENGTH:
                occ = fixed(occ)
            actor_id = body.actor
            actor = parties.get(actor_id)
            if actor is None:
                actor = parties[actor_id] = Party()
            first = actor.first
            if first is None or occ < first:
                actor.first = occ  # tenure: from the first act of its own, answers aside
            handler(self, body, body.payload, occ)
        self.entries += count
        return self

    def _answer(self, etype: str, canonical: bytes) -> None:
        """A ``claim.confirmed`` or ``claim.rejected``: counted for the claim's party when it
        answers a claim the pass follows, and its actor then known to the pass. An answer of
        the odd shape whose payload has a key sorting before ``claim_id`` makes its actor
        known whatever it answers, as when such bodies alone were parsed whole."""
        body = _decode_answer(canonical)
        claim_id = str(body.payload.claim_id)
        claim = self.claims.pop(claim_id, None)
        if claim is None:
            if canonical.find(_CLAIM_ID) < 0 and body.actor not in self.parties:
                self.parties[body.actor] = Party()  # the odd shape
            deferred = self.deferred
            if deferred is not None and claim_id not in deferred:
                if etype == CONFIRMED:
                    deferred[claim_id] = (CONFIRMED, intern(body.actor), "")
                else:
                    deferred[claim_id] = (REJECTED, intern(body.actor), body.occurred_at)
            return
        self._answered(etype, claim, body.actor, body.occurred_at)

    def _answered(self, etype: str, claim: tuple[Party, Claim], actor: str, occ: str) -> None:
        """A claim the pass follows, answered by ``actor``: counted, and its actor known."""
        parties = self.parties
        if actor not in parties:
            parties[actor] = Party()
        party, kind = claim
        if etype == CONFIRMED:
            party.c[kind.confirmed] += 1
            return
        party.c[kind.rejected] += 1
        if kind is INVOICE and fixed(occ) >= self.half_year:
            party.c["inv_rejected_180"] += 1

    def absorb(self, other: Fold) -> Fold:
        """Take in ``other``, a fold at the same as-of time over the same tree's entries of
        other types (:mod:`credit.features.halves`): the vectors are then those of one fold
        over all of them. Exact because the two share no map and no counter (a type goes to
        the fold whose maps it reads), tenure is a minimum, and every answer comes after the
        claim it answers (the ledger refuses an answer to a claim it does not hold): the
        first answer ``other`` deferred for a claim followed here is the one that would
        have found it. ``other`` is consumed."""
        parties, merged = self.parties, {}  # id of their party -> the one it went into
        for pid, theirs in other.parties.items():
            mine = parties.get(pid)
            if mine is None:
                parties[pid] = theirs
            else:
                mine.absorb(theirs)
                merged[id(theirs)] = mine
        for mine_map, theirs_map in (
            (self.orders, other.orders), (self.accepted, other.accepted),
            (self.shipments, other.shipments), (self.lots, other.lots),
            (self.applications, other.applications), (self.receipts, other.receipts),
        ):  # fmt: skip
            mine_map.update(theirs_map)
        self.facilities.update(other.facilities)
        self.bad |= other.bad
        self.entries += other.entries
        for claim_id, (etype, actor, occ) in (other.deferred or {}).items():
            claim = self.claims.pop(claim_id, None)
            if claim is not None:
                self._answered(etype, claim, actor, occ)
        for claim_id, (party, kind) in other.claims.items():  # still awaiting an answer
            self.claims[claim_id] = (merged.get(id(party), party), kind)
        return self

    def party(self, pid: str) -> Party:
        party = self.parties.get(pid)
        if party is None:
            party = self.parties[pid] = Party()
        return party

    def follow(self, event_id: str, party: Party, kind: Claim) -> None:
        """Wait for the answer to a mature claim of ``party`` (an event id)."""
        self.claims[event_id] = (party, kind)

    # -- results ----------------------------------------------------------------------
    def vectors(self, only: Iterable[str] | None = None) -> dict[str, dict[str, float]]:
        """Feature vectors of the firms (sellers and buyers), or of ``only``."""
        by_borrower: dict[str, list[Facility]] = {}
        for facility in self.facilities.values():
            by_borrower.setdefault(facility.borrower, []).append(facility)
        wanted = [p for p, s in self.parties.items() if s.role in FIRMS] if only is None else only
        return {
            pid: self.party(pid).vector(self.t, by_borrower.get(pid, [])) for pid in sorted(wanted)
        }

    def role(self, pid: str) -> str:
        party = self.parties.get(pid)
        return party.role if party is not None else ""


def _answer(f: Fold, body: Body[Nothing], p: Nothing, occ: str) -> None:
    """Answers are read by :meth:`Fold._answer`, from their bytes; this names their types."""


_HANDLERS: dict[str, Reader] = {
    **fold_information.HANDLERS,
    **fold_logistics.HANDLERS,
    **fold_finance.HANDLERS,
    "claim.confirmed": reads(Nothing, _answer),
    "claim.rejected": reads(Nothing, _answer),
}

TYPES = frozenset(_HANDLERS)
"""The event types the pass reads: the scan asks the database for these alone."""
CONFIRMED, REJECTED = "claim.confirmed", "claim.rejected"
ANSWER_TYPES = frozenset((CONFIRMED, REJECTED))
_READERS = {t: (decoder(s), h) for t, (s, h) in _HANDLERS.items() if t not in ANSWER_TYPES}
"""Each type's decode (into its handler's payload struct) and handler, made once."""
