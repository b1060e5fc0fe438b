"""Information handlers of the feature pass: registrations, orders, invoices, reviews,
disputes, insolvencies; each with the payload fields it reads (:mod:`credit.features.body`).
"""

from __future__ import annotations

from sys import intern
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from credit.features.body import Body, Nothing, Reader, reads
from credit.features.party import INVOICE, usd

if TYPE_CHECKING:
    from credit.features.fold import Fold


class _Registered(Struct, gc=False):
    participant_id: Any
    roles: Any = None


def _registered(f: Fold, body: Body[_Registered], p: _Registered, occ: str) -> None:
    roles = p.roles or []
    party = f.party(str(p.participant_id))
    party.role = "seller" if "seller" in roles else ("buyer" if "buyer" in roles else roles[0])


class _Placed(Struct, gc=False):
    buyer: Any
    order_id: Any
    seller: Any
    total: Any


def _order_placed(f: Fold, body: Body[_Placed], p: _Placed, occ: str) -> None:
    seller, buyer, oid = intern(str(p.seller)), str(p.buyer), str(p.order_id)
    f.orders[oid] = seller
    f.accepted.pop(oid, None)  # placed again: not accepted yet
    s = f.parties.get(seller) or f.party(seller)
    s.seen(occ)
    s.buyers[buyer] += 1
    if occ >= f.recent:
        c = s.c
        c["orders_90"] += 1
        c["value_90"] += usd(p.total)
        (f.parties.get(buyer) or f.party(buyer)).c["placed_90"] += 1
    elif occ >= f.half_year:
        s.c["orders_90_180"] += 1
    if occ >= f.half_year:
        s.c["orders_180"] += 1


class _Order(Struct, gc=False):
    order_id: Any


class _OfOrder(Struct, gc=False):
    """An act on an order, its seller found from the order (else the first subject)."""

    order_id: Any = ""


class _Review(Struct, gc=False):
    rating: Any
    order_id: Any = ""


def _seller_of_order(f: Fold, body: Body[Any], p: _OfOrder | _Review) -> str | None:
    seller = f.orders.get(str(p.order_id))
    if seller is not None:
        return seller
    subjects = body.subjects
    return str(subjects[0]) if subjects else None


def _order_accepted(f: Fold, body: Body[_Order], p: _Order, occ: str) -> None:
    oid = str(p.order_id)
    if oid in f.orders:
        f.accepted[oid] = occ


def _order_cancelled(f: Fold, body: Body[_OfOrder], p: _OfOrder, occ: str) -> None:
    if occ >= f.recent:
        seller = _seller_of_order(f, body, p)
        if seller is not None:
            f.party(seller).c["cancels_90"] += 1


def _invoice(f: Fold, body: Body[Nothing], p: Nothing, occ: str) -> None:
    if occ <= f.mature_by:
        party = f.parties[body.actor]  # the actor's party: made before its handler ran
        f.follow(body.id, party, INVOICE)
        party.c["inv_mature"] += 1


def _review(f: Fold, body: Body[_Review], p: _Review, occ: str) -> None:
    if occ >= f.half_year:
        seller = _seller_of_order(f, body, p)
        if seller is not None:
            c = f.party(seller).c
            c["review_sum_180"] += int(p.rating)
            c["review_n_180"] += 1


def _dispute(f: Fold, body: Body[_OfOrder], p: _OfOrder, occ: str) -> None:
    if occ >= f.half_year:
        seller = _seller_of_order(f, body, p)
        if seller is not None:
            f.party(seller).c["disputes_180"] += 1


class _Insolvency(Struct, gc=False):
    debtor: Any


def _insolvency(f: Fold, body: Body[_Insolvency], p: _Insolvency, occ: str) -> None:
    f.bad.add(str(p.debtor))


HANDLERS: dict[str, Reader] = {
    "participant.registered": reads(_Registered, _registered),
    "order.placed": reads(_Placed, _order_placed),
    "order.accepted": reads(_Order, _order_accepted),
    "order.cancelled": reads(_OfOrder, _order_cancelled),
    "invoice.issued": reads(Nothing, _invoice),
    "review.posted": reads(_Review, _review),
    "dispute.opened": reads(_OfOrder, _dispute),
    "insolvency.filed": reads(_Insolvency, _insolvency),
}
