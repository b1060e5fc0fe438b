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
- an answer to a claim is read from its bytes (``claim_id``, actor), never parsed;
- the maps keep one shared string per participant id (:func:`sys.intern`), not a copy per
  order, shipment or lot; an order keeps its seller and, once accepted, its acceptance time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from sys import intern
from typing import Any

import orjson

from credit.features.catalogue import HALF_YEAR_DAYS, MATURE_DAYS, RECENT_DAYS
from credit.features.party import INVOICE, Claim, Facility, Party, usd
from credit.features.stamps import STAMP_LENGTH, cutoff, fixed

Body = Mapping[str, Any]
FIRMS = frozenset({"seller", "buyer"})
WEEK_DAYS = 7
_ACTOR = b'{"actor":"'
_CLAIM_ID = b'"claim_id":"'
_OCCURRED = b'"occurred_at":"'
_loads = orjson.loads


class Fold:
    """Running state of one feature pass at the as-of time ``as_of``."""

    __slots__ = (
        "_handlers",
        "accepted",
        "applications",
        "as_of",
        "bad",
        "claims",
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

    def __init__(self, as_of: datetime) -> None:
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
        self._handlers = {t: h for t, h in _HANDLERS.items() if t not in ANSWER_TYPES}

    # -- the fold ---------------------------------------------------------------------
    def feed(self, etype: str, canonical: bytes) -> None:
        """One stored entry (see :meth:`feed_all`)."""
        self.feed_all(((etype, canonical),))

    def feed_all(self, entries: Iterable[tuple[str, bytes]]) -> Fold:
        """Stored entries ``(type, canonical bytes)`` in ledger order, each parsed only when
        the pass reads its type; an answer to a claim is read from its bytes, and only when
        it answers a claim the pass follows. One loop with its lookups held in locals: it
        runs once per entry of the tree. (Reading other entries' few fields from their bytes
        was tried: a parse by orjson costs about as much as the few searches.)"""
        handlers, parties, loads, answer = self._handlers, self.parties, _loads, self._answer
        count = 0
        for etype, canonical in entries:
            count += 1
            handler = handlers.get(etype)
            if handler is None:
                if etype in ANSWER_TYPES:
                    answer(etype, canonical)
                continue
            body = loads(canonical)
            occ = body["occurred_at"]
            if len(occ) != STAMP_LENGTH:
                occ = fixed(occ)
            actor_id = body["actor"]
            actor = parties.get(actor_id)
            if actor is None:
                actor = parties[actor_id] = Party()
            first = actor.first
            if first is None or occ < first:
                actor.first = occ  # tenure: from the first act of its own, answers aside
            handler(self, body, body["payload"], occ)
        self.entries += count
        return self

    def _answer(self, etype: str, canonical: bytes) -> None:
        """A ``claim.confirmed`` or ``claim.rejected``: counted for the claim's party when it
        answers a claim the pass follows. RFC 8785 puts ``actor`` first and leaves ids and
        times as they are (they hold no quote), so both are read from the bytes; a body not
        of that shape is parsed."""
        at = canonical.find(_CLAIM_ID)
        if at < 0:
            return
        at += len(_CLAIM_ID)
        end = at + 36  # a claim id is a UUID
        key = canonical[at:end].decode()
        claim = self.claims.pop(key, None)
        if claim is None:
            return
        if canonical[end : end + 1] != b'"' or not canonical.startswith(_ACTOR):
            self.claims[key] = claim
            self._answer_parsed(etype, orjson.loads(canonical))
            return
        actor_id = canonical[len(_ACTOR) : canonical.index(b'"', len(_ACTOR))].decode()
        if actor_id not in self.parties:
            self.parties[actor_id] = Party()
        occ = ""
        if claim[1] is INVOICE and etype != "claim.confirmed":
            start = canonical.index(_OCCURRED) + len(_OCCURRED)
            occ = fixed(canonical[start : canonical.index(b'"', start)].decode())
        self._count_answer(etype, claim, occ)

    def _answer_parsed(self, etype: str, body: Body) -> None:
        self.party(str(body["actor"]))
        claim = self.claims.pop(str(body["payload"]["claim_id"]), None)
        if claim is not None:
            self._count_answer(etype, claim, fixed(body["occurred_at"]))

    def _count_answer(self, etype: str, claim: tuple[Party, Claim], occ: str) -> None:
        party, kind = claim
        if etype == "claim.confirmed":
            party.c[kind.confirmed] += 1
            return
        party.c[kind.rejected] += 1
        if kind is INVOICE and occ >= self.half_year:
            party.c["inv_rejected_180"] += 1

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


def _registered(f: Fold, body: Body, p: Body, occ: str) -> None:
    roles = p.get("roles") or []
    party = f.party(str(p["participant_id"]))
    party.role = "seller" if "seller" in roles else ("buyer" if "buyer" in roles else roles[0])


def _order_placed(f: Fold, body: Body, p: Body, occ: str) -> None:
    seller, buyer, oid = intern(str(p["seller"])), str(p["buyer"]), str(p["order_id"])
    f.orders[oid] = seller
    f.accepted.pop(oid, None)  # placed again: not accepted yet
    s = f.parties.get(seller) or f.party(seller)
    s.seen(occ)
    s.buyers[buyer] += 1
    if occ >= f.recent:
        c = s.c
        c["orders_90"] += 1
        c["value_90"] += usd(p["total"])
        (f.parties.get(buyer) or f.party(buyer)).c["placed_90"] += 1
    elif occ >= f.half_year:
        s.c["orders_90_180"] += 1
    if occ >= f.half_year:
        s.c["orders_180"] += 1


def _seller_of_order(f: Fold, body: Body, p: Body) -> str | None:
    seller = f.orders.get(str(p.get("order_id", "")))
    if seller is not None:
        return seller
    subjects = body.get("subjects") or []
    return str(subjects[0]) if subjects else None


def _order_accepted(f: Fold, body: Body, p: Body, occ: str) -> None:
    oid = str(p["order_id"])
    if oid in f.orders:
        f.accepted[oid] = occ


def _order_cancelled(f: Fold, body: Body, p: Body, occ: str) -> None:
    if occ >= f.recent:
        seller = _seller_of_order(f, body, p)
        if seller is not None:
            f.party(seller).c["cancels_90"] += 1


def _invoice(f: Fold, body: Body, p: Body, occ: str) -> None:
    if occ <= f.mature_by:
        party = f.parties[body["actor"]]  # the actor's party: made before its handler ran
        f.follow(str(body["id"]), party, INVOICE)
        party.c["inv_mature"] += 1


def _review(f: Fold, body: Body, p: Body, occ: str) -> None:
    if occ >= f.half_year:
        seller = _seller_of_order(f, body, p)
        if seller is not None:
            c = f.party(seller).c
            c["review_sum_180"] += int(p["rating"])
            c["review_n_180"] += 1


def _dispute(f: Fold, body: Body, p: Body, occ: str) -> None:
    if occ >= f.half_year:
        seller = _seller_of_order(f, body, p)
        if seller is not None:
            f.party(seller).c["disputes_180"] += 1


def _answer(f: Fold, body: Body, p: Body, occ: str) -> None:
    """Answers are read by :meth:`Fold._answer`, from their bytes; this names their types."""


def _insolvency(f: Fold, body: Body, p: Body, occ: str) -> None:
    f.bad.add(str(p["debtor"]))


Handler = Callable[[Fold, Body, Body, str], None]
_HANDLERS: dict[str, Handler] = {
    "participant.registered": _registered,
    "order.placed": _order_placed,
    "order.accepted": _order_accepted,
    "order.cancelled": _order_cancelled,
    "invoice.issued": _invoice,
    "review.posted": _review,
    "dispute.opened": _dispute,
    "claim.confirmed": _answer,
    "claim.rejected": _answer,
    "insolvency.filed": _insolvency,
}


def _install() -> None:
    from credit.features import fold_finance, fold_logistics

    _HANDLERS.update(fold_logistics.HANDLERS)
    _HANDLERS.update(fold_finance.HANDLERS)


_install()

TYPES = frozenset(_HANDLERS)
"""The event types the pass reads: the scan asks the database for these alone."""
ANSWER_TYPES = frozenset(("claim.confirmed", "claim.rejected"))
