"""Warehouse stock: restocking lots, receiving them, counting them, shrinkage.

Sellers that keep goods in a warehouse (domestic, bonded or overseas) restock each month to
a few weeks of cover; an overseas warehouse means a customs crossing for the whole lot.
In the baseline they restock as far as cash and credit allow, so thin stock follows thin
cash; in the null-logistics world they restock to cover whatever their cash (suppliers
carry the difference), so counts follow demand only. Received lots are what warehouse
receipts finance.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any

from simulations import confirmations, credit_lines, orders, receipts, shipping
from simulations.agents import Seller
from simulations.facilities import Lot
from simulations.world import Action, World


def _expected_quantity(w: World, s: Seller) -> int:
    sector = w.config.sectors[s.sector]
    return max(1, round(s.expected_sales / (sector.unit_price_usd * 100) * w.demand(s)))


def initial_stock(w: World, s: Seller, when: datetime) -> None:
    """Goods already in the warehouse when the simulation starts."""
    cover = w.config.trade.stock_cover_months
    lot = orders.new_lot(s, w, max(1, round(cover * _expected_quantity(w, s))))
    _receive(w, s, random.Random(0), when, lot, finance=False)


def on_restock(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    if not s.trading or s.warehouse is None:
        return
    expected = _expected_quantity(w, s)
    need = round(w.config.trade.stock_cover_months * expected) - orders.free_stock(s)
    if need < max(1, expected // 10):
        return
    lot = orders.new_lot(s, w, need)
    allowance = orders.supplier_credit(w, s)
    quantity = need
    if w.config.logistics_informative:
        budget = s.cash + credit_lines.available_credit(s, when) + allowance - s.fixed_cost
        quantity = min(need, budget // max(1, lot.unit_cost))
        if quantity < max(1, expected // 10):
            return
    lot.quantity = quantity
    cost = quantity * lot.unit_cost
    if not credit_lines.ensure_cash(w, s, cost, when, allowance) and w.config.logistics_informative:
        return
    s.cash -= cost
    _ship_to_warehouse(w, s, rng, when, lot)


def _ship_to_warehouse(w: World, s: Seller, rng: random.Random, when: datetime, lot: Lot) -> None:
    assert s.warehouse is not None
    sector = w.config.sectors[s.sector]
    warehouse, carrier = w.pop.warehouses[s.warehouse], w.pop.carriers[s.carrier]
    w.emit(s, "logistics", "goods.commissioned",
           {"lot_id": lot.lot_id, "sku": lot.sku, "quantity": lot.quantity, "unit": sector.unit,
            "owner": s.pid, "site_country": s.identity.country}, when)  # fmt: skip
    w.emit(s, "logistics", "goods.packed",
           {"package_id": s.next_id("pkg"), "lot_id": lot.lot_id, "quantity": lot.quantity,
            "unit": sector.unit}, when + timedelta(hours=3))  # fmt: skip
    shipment_id = s.next_id("shp")
    dispatch = when + timedelta(days=1, hours=rng.randint(0, 12))
    wm = w.pop.warehouse_market[s.warehouse]
    destination = warehouse.identity.country
    w.later(s, dispatch, carrier, "logistics", "shipment.dispatched",
            {"shipment_id": shipment_id, "origin": s.identity.country,
             "destination": destination, "carrier": carrier.pid, "items": [lot.lot_id]},
            (s.pid, warehouse.pid))  # fmt: skip
    if wm is None:
        arrival = dispatch + timedelta(days=rng.randint(1, 3))
    else:
        crossing = dispatch + timedelta(days=rng.randint(*w.config.trade.transit_days))
        arrival = shipping.customs(w, s, rng, crossing, wm, shipment_id)
        arrival += timedelta(days=2)
    delivered = arrival - timedelta(hours=1)
    claim = w.later(s, delivered, carrier, "logistics", "shipment.delivered",
                    {"shipment_id": shipment_id, "carrier": carrier.pid,
                     "consignee": warehouse.pid}, (s.pid, warehouse.pid))  # fmt: skip
    confirmations.by_institution(w, s, rng, (claim, "logistics", carrier.pid, delivered), warehouse)
    w.push(s, arrival, Action.RECEIVED, lot)


def on_received(w: World, s: Seller, rng: random.Random, when: datetime, lot: Any) -> None:
    assert isinstance(lot, Lot)
    _receive(w, s, rng, when, lot, finance=True)


def _receive(
    w: World, s: Seller, rng: random.Random, when: datetime, lot: Lot, *, finance: bool
) -> None:
    assert s.warehouse is not None
    warehouse = w.pop.warehouses[s.warehouse]
    unit = w.config.sectors[s.sector].unit
    claim = w.emit(warehouse, "logistics", "goods.received",
                   {"warehouse_id": warehouse.pid, "lot_id": lot.lot_id, "sku": lot.sku,
                    "quantity": lot.quantity, "unit": unit, "owner": s.pid}, when,
                   (s.pid,))  # fmt: skip
    confirmations.answer(w, s, rng, (claim, "logistics", warehouse.pid, when), s,
                         w.config.confirm.owner_goods)  # fmt: skip
    s.lots.append(lot)
    if finance:
        receipts.maybe_pledge(w, s, rng, when, lot)


def on_count(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    """The warehouse counts each lot at the month end; poor operators lose a little."""
    if s.warehouse is None:
        return
    warehouse = w.pop.warehouses[s.warehouse]
    shrink = 0.004 * math.exp(-0.5 * s.logistics)
    for lot in s.lots:
        if rng.random() < shrink and lot.quantity > 1:
            lost = max(1, round(lot.quantity * rng.uniform(0.02, 0.15)))
            lot.quantity -= lost
            lot.pledged = min(lot.pledged, lot.quantity)
            w.emit(warehouse, "logistics", "goods.lost",
                   {"quantity": lost, "lot_id": lot.lot_id, "custodian": warehouse.pid},
                   when - timedelta(hours=1), (s.pid,))  # fmt: skip
        w.emit(warehouse, "logistics", "stock.counted",
               {"warehouse_id": warehouse.pid, "sku": lot.sku, "quantity": lot.quantity,
                "lot_id": lot.lot_id}, when, (s.pid,))  # fmt: skip
