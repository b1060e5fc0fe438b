"""Logistics handlers of the feature pass: shipments, customs, deliveries, stock, losses."""

from __future__ import annotations

from sys import intern
from typing import TYPE_CHECKING

from credit.features.party import DELIVERY
from credit.features.stamps import DAY, timestamp

if TYPE_CHECKING:
    from credit.features.fold import Body, Fold, Handler


def _first_subject(body: Body) -> str | None:
    subjects = body.get("subjects") or []
    return str(subjects[0]) if subjects else None


def _shipper(f: Fold, body: Body, p: Body) -> str | None:
    seller = f.shipments.get(str(p.get("shipment_id", "")))
    if seller is None and "lot_id" in p:
        seller = f.lots.get(str(p["lot_id"]))
    return seller if seller is not None else _first_subject(body)


def _dispatched(f: Fold, body: Body, p: Body, occ: str) -> None:
    oid = str(p.get("order_id", ""))
    seller = f.orders.get(oid)
    known = seller is not None
    if seller is None:
        seller = _first_subject(body)
        if seller is None:
            return
        seller = intern(seller)
    f.shipments[str(p["shipment_id"])] = seller
    if occ >= f.recent:
        party = f.party(seller)
        party.c["ship_90"] += 1
        accepted = f.accepted.get(oid) if known else None
        if accepted is not None:
            party.c["delay_sum_90"] += max(0.0, (timestamp(occ) - timestamp(accepted)) / DAY)
            party.c["delay_n_90"] += 1


def _delivered(f: Fold, body: Body, p: Body, occ: str) -> None:
    seller = _shipper(f, body, p)
    if seller is None:
        return
    party = f.party(seller)
    if occ >= f.half_year:
        party.c["deliv_180"] += 1
        party.c["ontime_180"] += 1 if p.get("on_time") is True else 0
    if occ <= f.mature_by:
        f.follow(str(body["id"]), party, DELIVERY)
        party.c["deliv_mature"] += 1


def _counter(key: str) -> Handler:
    def handle(f: Fold, body: Body, p: Body, occ: str) -> None:
        if occ >= f.half_year:
            seller = _shipper(f, body, p)
            if seller is not None:
                f.party(seller).c[key] += 1

    return handle


def _received(f: Fold, body: Body, p: Body, occ: str) -> None:
    owner = p.get("owner") or _first_subject(body) or body["actor"]
    f.lots[str(p["lot_id"])] = intern(str(owner))


def _commissioned(f: Fold, body: Body, p: Body, occ: str) -> None:
    f.lots[str(p["lot_id"])] = intern(str(p.get("owner") or body["actor"]))


def _counted(f: Fold, body: Body, p: Body, occ: str) -> None:
    lot = p.get("lot_id")
    owner = f.lots.get(str(lot)) if lot is not None else None
    owner = owner or _first_subject(body)
    if owner is not None:
        place = (str(p["warehouse_id"]), str(lot if lot is not None else p["sku"]))
        f.party(owner).stock[place] = float(p["quantity"])


def _packed(f: Fold, body: Body, p: Body, occ: str) -> None:
    if occ >= f.recent:
        owner = f.lots.get(str(p["lot_id"])) or str(body["actor"])
        f.party(owner).c["packed_90"] += float(p["quantity"])


HANDLERS: dict[str, Handler] = {
    "shipment.dispatched": _dispatched,
    "shipment.delivered": _delivered,
    "customs.declared": _counter("decl_180"),
    "customs.held": _counter("held_180"),
    "goods.lost": _counter("lost_180"),
    "goods.received": _received,
    "goods.commissioned": _commissioned,
    "stock.counted": _counted,
    "goods.packed": _packed,
}
