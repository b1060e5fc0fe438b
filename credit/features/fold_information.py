"""Information-flow handlers of the feature pass: registrations, orders, invoices, reviews,
disputes, insolvencies (moved out of :mod:`credit.features.fold` unchanged)."""

from __future__ import annotations

from sys import intern
from typing import TYPE_CHECKING

from credit.features.party import INVOICE, usd

if TYPE_CHECKING:
    from credit.features.fold import Body, Fold, Handler


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


HANDLERS: dict[str, Handler] = {
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
