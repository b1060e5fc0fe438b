"""Logins as the platform sees them: the fraud signals, with the overlap real data has.

Each login draws from its account's :class:`~simulations.agents.LoginProfile`: IP country,
card billing country, device clock, proxy and device. The platform signs what it saw
(``account.login``); whether the account is fraudulent stays in the ground truth.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from simulations.agents import Agent, Buyer, Seller
from simulations.world import World


def _elsewhere(w: World, rng: random.Random, country: str) -> tuple[str, str, int]:
    options = [(m.country, m.timezone, m.utc_offset_minutes) for m in w.pop.markets]
    options += [(c, tz, offset) for c, _, tz, offset in w.config.seller_countries]
    return rng.choice([option for option in options if option[0] != country])


def login(w: World, account: Agent, rng: random.Random, when: datetime) -> None:
    ident, profile = account.identity, account.logins
    assert profile is not None
    ip = _elsewhere(w, rng, ident.country)[0] if rng.random() < profile.abroad else ident.country
    billing = ident.country
    if rng.random() < profile.card_abroad:
        billing = _elsewhere(w, rng, ident.country)[0]
    tz, offset = ident.timezone, ident.utc_offset_minutes
    if rng.random() < profile.clock_abroad:
        _, tz, offset = _elsewhere(w, rng, ident.country)
    w.emit(w.pop.platform, "information", "account.login",
           {"account": ident.participant_id, "ip_country": ip, "billing_country": billing,
            "timezone": tz, "utc_offset_minutes": offset, "proxy": rng.random() < profile.proxy,
            "device_id": rng.choice(profile.devices)}, when, (ident.participant_id,))  # fmt: skip


def on_login(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    login(w, s, rng, when)


def buyer_logins(w: World, b: Buyer, rng: random.Random, count: int) -> None:
    for when in sorted(w.random_time(rng) for _ in range(count)):
        login(w, b, rng, when)
