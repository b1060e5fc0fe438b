"""Logistics handlers of the feature pass: shipments, customs, deliveries, stock, losses;
each with the payload fields it reads (:mod:`credit.features.body`)."""

from __future__ import annotations

from sys import intern
from typing import TYPE_CHECKING, Any

from msgspec import UNSET, Struct

from credit.features.body import Body, Reader, reads
from credit.features.party import DELIVERY
from credit.features.stamps import DAY, timestamp

if TYPE_CHECKING:
    from credit.features.fold import Fold


def _first_subject(body: Body[Any]) -> str | None:
    subjects = body.subjects
    return str(subjects[0]) if subjects else None


class _Shipped(Struct, gc=False):
    """An act on goods shipped: its seller found from the shipment, else from the lot."""

    shipment_id: Any = ""
    lot_id: Any = UNSET  # tested for presence
    on_time: Any = None


def _shipper(f: Fold, body: Body[_Shipped], p: _Shipped) -> str | None:
    seller = f.shipments.get(str(p.shipment_id))
    if seller is None and p.lot_id is not UNSET:
        seller = f.lots.get(str(p.lot_id))
    return seller if seller is not None else _first_subject(body)


class _Dispatched(Struct, gc=False):
    shipment_id: Any
    order_id: Any = ""


def _dispatched(f: Fold, body: Body[_Dispatched], p: _Dispatched, occ: str) -> None:
    oid = str(p.order_id)
    seller = f.orders.get(oid)
    known = seller is not None
    if seller is None:
        seller = _first_subject(body)
        if seller is None:
            return
        seller = intern(seller)
    f.shipments[str(p.shipment_id)] = seller
    if occ >= f.recent:
        party = f.party(seller)
        party.c["ship_90"] += 1
        accepted = f.accepted.get(oid) if known else None
        if accepted is not None:
            party.c["delay_sum_90"] += max(0.0, (timestamp(occ) - timestamp(accepted)) / DAY)
            party.c["delay_n_90"] += 1


def _delivered(f: Fold, body: Body[_Shipped], p: _Shipped, occ: str) -> None:
    seller = _shipper(f, body, p)
    if seller is None:
        return
    party = f.party(seller)
    if occ >= f.half_year:
        party.c["deliv_180"] += 1
        party.c["ontime_180"] += 1 if p.on_time is True else 0
    if occ <= f.mature_by:
        f.follow(body.id, party, DELIVERY)
        party.c["deliv_mature"] += 1


def _counter(key: str) -> Reader:
    def handle(f: Fold, body: Body[_Shipped], p: _Shipped, occ: str) -> None:
        if occ >= f.half_year:
            seller = _shipper(f, body, p)
            if seller is not None:
                f.party(seller).c[key] += 1

    return reads(_Shipped, handle)


class _Lot(Struct, gc=False):
    lot_id: Any
    owner: Any = None


def _received(f: Fold, body: Body[_Lot], p: _Lot, occ: str) -> None:
    owner = p.owner or _first_subject(body) or body.actor
    f.lots[str(p.lot_id)] = intern(str(owner))


def _commissioned(f: Fold, body: Body[_Lot], p: _Lot, occ: str) -> None:
    f.lots[str(p.lot_id)] = intern(str(p.owner or body.actor))


class _Counted(Struct, gc=False):
    warehouse_id: Any
    sku: Any
    quantity: Any
    lot_id: Any = None


def _counted(f: Fold, body: Body[_Counted], p: _Counted, occ: str) -> None:
    lot = p.lot_id
    owner = f.lots.get(str(lot)) if lot is not None else None
    owner = owner or _first_subject(body)
    if owner is not None:
        place = (str(p.warehouse_id), str(lot if lot is not None else p.sku))
        f.party(owner).stock[place] = float(p.quantity)


class _Packed(Struct, gc=False):
    lot_id: Any
    quantity: Any


def _packed(f: Fold, body: Body[_Packed], p: _Packed, occ: str) -> None:
    if occ >= f.recent:
        owner = f.lots.get(str(p.lot_id)) or str(body.actor)
        f.party(owner).c["packed_90"] += float(p.quantity)


HANDLERS: dict[str, Reader] = {
    "shipment.dispatched": reads(_Dispatched, _dispatched),
    "shipment.delivered": reads(_Shipped, _delivered),
    "customs.declared": _counter("decl_180"),
    "customs.held": _counter("held_180"),
    "goods.lost": _counter("lost_180"),
    "goods.received": reads(_Lot, _received),
    "goods.commissioned": reads(_Lot, _commissioned),
    "stock.counted": reads(_Counted, _counted),
    "goods.packed": reads(_Packed, _packed),
}
