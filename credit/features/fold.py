"""The feature pass as a pure fold over event bodies, in ledger order.

:class:`Fold` is fed the parsed canonical body of each entry of the as-of tree, in sequence
order, and keeps per-participant counters (:mod:`credit.features.party`) plus the few
maps that tie later events to their participant (an order to its seller, a shipment to its
seller, a lot to its owner, a facility to its borrower, a receipt to its holder, a claim
to the party it speaks for). Confirmations are read from ``claim.confirmed`` and
``claim.rejected`` entries in the same tree, so a claim confirmed after the as-of point
counts as unconfirmed, as it was then. Nothing here reads a database or a clock: the same
bodies give the same features, whether they come from SQLite, PostgreSQL or a simulation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import orjson

from credit.features.catalogue import HALF_YEAR_DAYS, MATURE_DAYS, RECENT_DAYS
from credit.features.party import Facility, Party, usd

Body = Mapping[str, Any]
DAY = 86_400.0
FIRMS = frozenset({"seller", "buyer"})


def timestamp(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


class Fold:
    """Running state of one feature pass at the as-of time ``as_of``."""

    def __init__(self, as_of: datetime) -> None:
        self.as_of = as_of
        self.t = as_of.timestamp()
        self.parties: dict[str, Party] = {}
        self.orders: dict[str, list[Any]] = {}  # order id -> [seller, buyer, accepted ts]
        self.shipments: dict[str, str] = {}  # shipment id -> seller
        self.lots: dict[str, str] = {}  # lot id -> owner
        self.facilities: dict[str, Facility] = {}
        self.applications: dict[str, str] = {}  # application id -> applicant
        self.receipts: dict[str, str] = {}  # receipt id -> holder
        self.claims: dict[str, tuple[str, str]] = {}  # event id -> (party, kind)
        self.bad: set[str] = set()  # defaulted, 90+ days past due or insolvent in the tree
        self.entries = 0
        self._age = 0.0

    # -- the fold ---------------------------------------------------------------------
    def add(self, body: Body) -> None:
        handler = _HANDLERS.get(body["type"])
        self.entries += 1
        if handler is None:
            return
        ts = datetime.fromisoformat(body["occurred_at"]).timestamp()
        age = (self.t - ts) / DAY
        self._age = age if age > 0.0 else 0.0
        actor = self.parties.get(body["actor"]) or self.party(body["actor"])
        if (actor.first_ts is None or ts < actor.first_ts) and handler is not _answer:
            actor.first_ts = ts  # tenure: from the first act of its own, answers aside
        handler(self, body, body["payload"], ts)

    def feed(self, etype: str, canonical: bytes) -> None:
        """One stored entry: parsed only when the pass reads its type, and an answer to a
        claim only when it answers a claim the pass follows (its ``claim_id`` is read from
        the canonical bytes: RFC 8785 leaves a UUID as it is)."""
        if etype not in TYPES:
            self.entries += 1
            return
        if etype in ANSWER_TYPES:
            at = canonical.find(b'"claim_id":"')
            if at < 0 or canonical[at + 12 : at + 48].decode() not in self.claims:
                self.entries += 1
                return
        self.add(orjson.loads(canonical))

    def add_all(self, bodies: Iterable[Body]) -> Fold:
        for body in bodies:
            self.add(body)
        return self

    def party(self, pid: str) -> Party:
        party = self.parties.get(pid)
        if party is None:
            party = self.parties[pid] = Party()
        return party

    def within(self, days: float) -> bool:
        return self._age <= days

    @property
    def mature(self) -> bool:
        return self._age >= MATURE_DAYS

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


def _registered(f: Fold, body: Body, p: Body, ts: float) -> None:
    roles = p.get("roles") or []
    party = f.party(str(p["participant_id"]))
    party.role = "seller" if "seller" in roles else ("buyer" if "buyer" in roles else roles[0])


def _order_placed(f: Fold, body: Body, p: Body, ts: float) -> None:
    seller, buyer = str(p["seller"]), str(p["buyer"])
    f.orders[str(p["order_id"])] = [seller, buyer, None]
    s = f.party(seller)
    s.seen(ts)
    s.buyers[buyer] += 1
    if f.within(RECENT_DAYS):
        s.c["orders_90"] += 1
        s.c["value_90"] += usd(p["total"])
        f.party(buyer).c["placed_90"] += 1
    elif f.within(HALF_YEAR_DAYS):
        s.c["orders_90_180"] += 1
    if f.within(HALF_YEAR_DAYS):
        s.c["orders_180"] += 1


def _seller_of_order(f: Fold, body: Body, p: Body) -> str | None:
    order = f.orders.get(str(p.get("order_id", "")))
    if order is not None:
        return str(order[0])
    subjects = body.get("subjects") or []
    return str(subjects[0]) if subjects else None


def _order_accepted(f: Fold, body: Body, p: Body, ts: float) -> None:
    order = f.orders.get(str(p["order_id"]))
    if order is not None:
        order[2] = ts


def _order_cancelled(f: Fold, body: Body, p: Body, ts: float) -> None:
    seller = _seller_of_order(f, body, p)
    if seller is not None and f.within(RECENT_DAYS):
        f.party(seller).c["cancels_90"] += 1


def _invoice(f: Fold, body: Body, p: Body, ts: float) -> None:
    if f.mature:
        f.claims[str(body["id"])] = (str(body["actor"]), "inv")
        f.party(str(body["actor"])).c["inv_mature"] += 1


def _review(f: Fold, body: Body, p: Body, ts: float) -> None:
    seller = _seller_of_order(f, body, p)
    if seller is not None and f.within(HALF_YEAR_DAYS):
        f.party(seller).c["review_sum_180"] += int(p["rating"])
        f.party(seller).c["review_n_180"] += 1


def _dispute(f: Fold, body: Body, p: Body, ts: float) -> None:
    seller = _seller_of_order(f, body, p)
    if seller is not None and f.within(HALF_YEAR_DAYS):
        f.party(seller).c["disputes_180"] += 1


def _answer(f: Fold, body: Body, p: Body, ts: float) -> None:
    claim = f.claims.pop(str(p["claim_id"]), None)
    if claim is None:
        return
    party, kind = claim
    confirmed = body["type"] == "claim.confirmed"
    f.party(party).c[f"{kind}_confirmed" if confirmed else f"{kind}_rejected"] += 1
    if kind == "inv" and not confirmed and f.within(HALF_YEAR_DAYS):
        f.party(party).c["inv_rejected_180"] += 1


def _insolvency(f: Fold, body: Body, p: Body, ts: float) -> None:
    f.bad.add(str(p["debtor"]))


Handler = Callable[[Fold, Body, Body, float], None]
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
ANSWER_TYPES = frozenset(("claim.confirmed", "claim.rejected"))
"""The event types the pass reads: the scan asks the database for these alone."""
