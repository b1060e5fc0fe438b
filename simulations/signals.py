"""What the platform sees of accounts: logins (fraud signals), listings, certifications.

Honest accounts log in from their registered country, pay with a card billed there and
keep its clock, with rare exceptions (travel, a VPN); fraudulent ones mostly do not, and
rings of them share a few devices. The labels stay in the ground truth.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any

from simulations.agents import Agent, Buyer, Seller
from simulations.emitter import money
from simulations.world import World


def _elsewhere(w: World, rng: random.Random, country: str) -> tuple[str, str, int]:
    options = [(m.country, m.timezone, m.utc_offset_minutes) for m in w.pop.markets]
    options += [(c, tz, offset) for c, _, tz, offset in w.config.seller_countries]
    choices = [option for option in options if option[0] != country]
    return rng.choice(choices)


def login(w: World, account: Agent, fraud: bool, rng: random.Random, when: datetime) -> None:
    f = w.config.fraud
    ident = account.identity
    ip_p, bill_p, tz_p, proxy_p = (
        (f.fraud_ip_mismatch, f.fraud_billing_mismatch, f.fraud_tz_mismatch, f.fraud_proxy)
        if fraud
        else (f.honest_ip_mismatch, f.honest_billing_mismatch, f.honest_tz_mismatch,
              f.honest_proxy)
    )  # fmt: skip
    ip = _elsewhere(w, rng, ident.country)[0] if rng.random() < ip_p else ident.country
    billing = _elsewhere(w, rng, ident.country)[0] if rng.random() < bill_p else ident.country
    tz, offset = ident.timezone, ident.utc_offset_minutes
    if rng.random() < tz_p:
        _, tz, offset = _elsewhere(w, rng, ident.country)
    if fraud:
        device = f"dev-ring-{w.config.seed}-{rng.randrange(f.ring_devices)}"
    else:
        device = f"dev-{ident.participant_id}-{rng.randrange(2)}"
    w.emit(w.pop.platform, "information", "account.login",
           {"account": ident.participant_id, "ip_country": ip, "billing_country": billing,
            "timezone": tz, "utc_offset_minutes": offset, "proxy": rng.random() < proxy_p,
            "device_id": device}, when, (ident.participant_id,))  # fmt: skip


def on_login(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    login(w, s, s.fraud, rng, when)


def buyer_logins(w: World, b: Buyer, rng: random.Random, count: int) -> None:
    for when in sorted(w.random_time(rng) for _ in range(count)):
        login(w, b, b.fraud, rng, when)


def on_listing(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    if not s.trading:
        return
    sku = f"sku-{s.num:06d}-{len(s.skus) + 1:02d}"
    s.skus.append(sku)
    markup = 1.0 + rng.uniform(0.0, 0.3)
    w.emit(s, "information", "listing.published",
           {"listing_id": s.next_id("lst"), "sku": sku,
            "price": money(round(w.unit_price(s) * markup)),
            "channel": rng.choice(w.config.population.channels)}, when)  # fmt: skip


def on_certification(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    if not s.trading:
        return
    standard = w.config.sectors[s.sector].standard
    valid_until = (when + timedelta(days=3 * 365)).date().isoformat()
    w.emit(w.pop.platform, "information", "certification.issued",
           {"certificate_id": s.next_id("crt"), "standard": standard,
            "issuer": w.pop.platform.pid, "valid_until": valid_until}, when,
           (s.pid,))  # fmt: skip


def certification_prob(w: World, s: Seller) -> float:
    return w.config.trade.certification_prob * math.exp(0.5 * s.quality)
