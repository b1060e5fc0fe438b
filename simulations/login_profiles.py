"""Each account's login habits, drawn once: where honest and fraudulent accounts overlap.

Honest firms travel, use VPNs, pay with a card billed abroad (a Hong Kong company card for
a Shenzhen seller), leave a laptop on another time zone, and in a family business share
one device between related accounts. Fraudsters split: the careless ones show mismatches
and share devices within a ring; the careful ones look like anyone else. Device ids are
opaque digests, so nothing in an id says whose it is or what it is for.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

from simulations.agents import Agent, LoginProfile
from simulations.config import LoginConfig


class Devices:
    """Opaque device ids from the seed: a digest of a running number."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._count = 0

    def new(self) -> str:
        self._count += 1
        digest = hashlib.sha256(f"threeflow-sim/{self._seed}/device/{self._count}".encode())
        return "dev-" + digest.hexdigest()[:20]


def _honest(cfg: LoginConfig, rng: random.Random, devices: tuple[str, ...]) -> LoginProfile:
    return LoginProfile(
        abroad=cfg.traveller_abroad if rng.random() < cfg.traveller_share else 0.01,
        proxy=cfg.vpn_logins if rng.random() < cfg.vpn_share else 0.005,
        card_abroad=0.8 if rng.random() < cfg.foreign_card_share else 0.005,
        clock_abroad=0.9 if rng.random() < cfg.clock_share else 0.005,
        devices=devices,
    )


def assign_profiles(
    cfg: LoginConfig,
    rng: random.Random,
    devices: Devices,
    accounts: Sequence[Agent],
    fraud: Sequence[bool],
    families: bool,
) -> None:
    """Give each account a :class:`LoginProfile`; rings and families share devices."""
    own = [tuple(devices.new() for _ in range(rng.randint(1, 2))) for _ in accounts]
    careless = [f and rng.random() < cfg.careless_fraud for f in fraud]
    ring: list[int] = []
    ring_devices: tuple[str, ...] = ()
    family: list[int] = []
    family_device = ""
    for i, account in enumerate(accounts):
        if careless[i]:
            if not ring:
                ring = [0] * rng.randint(*cfg.ring_size)
                ring_devices = tuple(devices.new() for _ in range(rng.randint(1, 2)))
            ring.pop()
            account.logins = LoginProfile(
                abroad=cfg.careless_abroad,
                proxy=cfg.careless_proxy,
                card_abroad=cfg.careless_card,
                clock_abroad=cfg.careless_clock,
                devices=ring_devices + own[i][:1],
            )
            continue
        mine = own[i]
        if families and not fraud[i]:
            if family:
                family.pop()
                mine = (family_device, *mine[:1])
            elif rng.random() < cfg.family_share:
                family = [0] * rng.randint(1, 2)
                family_device = mine[0]
        account.logins = _honest(cfg, rng, mine)
