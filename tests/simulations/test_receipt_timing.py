"""A receipt loan is advanced against the collateral's value at payout, as the ledger checks.

The ledger's ``finance.receipts`` projection refuses a disbursement above the advance rate
of the collateral's value at the latest price event. The simulation publishes prices at the
start of each month, so a lot received in a month's last hours, whose financing would be
paid out after the next price event, is not financed that month.
"""

from __future__ import annotations

import random
from datetime import timedelta

from simulations.agents import Seller
from simulations.config import SimulationConfig
from simulations.engine import Simulation
from simulations.facilities import Lot
from simulations.receipts import FINANCING_TAKES, maybe_pledge


def _world_and_seller() -> tuple[Simulation, Seller]:
    sim = Simulation(SimulationConfig(participants=300, months=1, seed=5))
    world = sim.world
    world.begin(0)
    seller = next(s for s in sim.population.sellers if s.warehouse is not None)
    seller.cash = 0  # short of cash: a seller who would pledge
    world.current = seller
    return sim, seller


def test_a_lot_received_in_time_is_financed_within_the_month() -> None:
    sim, seller = _world_and_seller()
    lot = Lot("lot-test-1", "sku-test", 1000, 100)
    when = sim.world.month_begin + timedelta(days=3)
    maybe_pledge(sim.world, seller, random.Random(1), when, lot)
    assert lot.receipt_id is not None


def test_a_lot_received_in_the_month_s_last_hours_is_not_financed() -> None:
    sim, seller = _world_and_seller()
    lot = Lot("lot-test-2", "sku-test", 1000, 100)
    when = sim.world.month_end - FINANCING_TAKES + timedelta(minutes=1)
    maybe_pledge(sim.world, seller, random.Random(1), when, lot)
    assert lot.receipt_id is None
