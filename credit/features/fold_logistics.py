"""Logistics handlers of the feature pass: shipments, customs, deliveries, stock, losses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from credit.features.catalogue import HALF_YEAR_DAYS, RECENT_DAYS

if TYPE_CHECKING:
    from credit.features.fold import Body, Fold, Handler

DAY = 86_400.0


def _first_subject(body: Body) -> str | None:
    subjects = body.get("subjects") or []
    return str(subjects[0]) if subjects else None


def _shipper(f: Fold, body: Body, p: Body) -> str | None:
    seller = f.shipments.get(str(p.get("shipment_id", "")))
    if seller is None and "lot_id" in p:
        seller = f.lots.get(str(p["lot_id"]))
    return seller if seller is not None else _first_subject(body)


def _dispatched(f: Fold, body: Body, p: Body, ts: float) -> None:
    order: list[Any] | None = f.orders.get(str(p.get("order_id", "")))
    seller = str(order[0]) if order is not None else _first_subject(body)
    if seller is None:
        return
    f.shipments[str(p["shipment_id"])] = seller
    if f.within(RECENT_DAYS):
        party = f.party(seller)
        party.c["ship_90"] += 1
        if order is not None and order[2] is not None:
            party.c["delay_sum_90"] += max(0.0, (ts - float(order[2])) / DAY)
            party.c["delay_n_90"] += 1


def _delivered(f: Fold, body: Body, p: Body, ts: float) -> None:
    seller = _shipper(f, body, p)
    if seller is None:
        return
    party = f.party(seller)
    if f.within(HALF_YEAR_DAYS):
        party.c["deliv_180"] += 1
        party.c["ontime_180"] += 1 if p.get("on_time") is True else 0
    if f.mature:
        f.claims[str(body["id"])] = (seller, "deliv")
        party.c["deliv_mature"] += 1


def _counter(key: str) -> Handler:
    def handle(f: Fold, body: Body, p: Body, ts: float) -> None:
        seller = _shipper(f, body, p)
        if seller is not None and f.within(HALF_YEAR_DAYS):
            f.party(seller).c[key] += 1

    return handle


def _received(f: Fold, body: Body, p: Body, ts: float) -> None:
    f.lots[str(p["lot_id"])] = str(p.get("owner") or _first_subject(body) or body["actor"])


def _commissioned(f: Fold, body: Body, p: Body, ts: float) -> None:
    f.lots[str(p["lot_id"])] = str(p.get("owner") or body["actor"])


def _counted(f: Fold, body: Body, p: Body, ts: float) -> None:
    lot = p.get("lot_id")
    owner = f.lots.get(str(lot)) if lot is not None else None
    owner = owner or _first_subject(body)
    if owner is not None:
        place = (str(p["warehouse_id"]), str(lot if lot is not None else p["sku"]))
        f.party(owner).stock[place] = float(p["quantity"])


def _packed(f: Fold, body: Body, p: Body, ts: float) -> None:
    owner = f.lots.get(str(p["lot_id"])) or str(body["actor"])
    if f.within(RECENT_DAYS):
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
