"""What sellers publish and what inspectors certify: listings and certifications."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any

from simulations.agents import Seller
from simulations.emitter import money
from simulations.world import World


def on_listing(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    if not s.trading:
        return
    sku = f"sku-{s.num:06d}-{len(s.skus) + 1:02d}"
    s.skus.append(sku)
    markup = 1.0 + rng.uniform(0.0, 0.3)
    w.emit(s, "information", "listing.published",
           {"listing_id": s.next_id("lst"), "seller": s.pid, "sku": sku,
            "price": money(round(w.unit_price(s) * markup)),
            "channel": rng.choice(w.config.population.channels)}, when)  # fmt: skip


def on_certification(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    """The inspection body certifies a seller's goods to its sector's standard."""
    if not s.trading:
        return
    inspector = w.pop.inspector
    standard = w.config.sectors[s.sector].standard
    valid_until = (when + timedelta(days=3 * 365)).date().isoformat()
    w.emit(inspector, "information", "certification.issued",
           {"certificate_id": s.next_id("crt"), "standard": standard,
            "issuer": inspector.pid, "valid_until": valid_until}, when,
           (s.pid,))  # fmt: skip


def certification_prob(w: World, s: Seller) -> float:
    return w.config.trade.certification_prob * math.exp(0.5 * s.quality)
