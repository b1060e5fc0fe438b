"""Counterparty confirmations: the bound party's signed answer to a claim about it.

A claim that binds another party (an invoice binds its buyer, a payment its payee, a
delivery its consignee, goods received their owner, a disbursement or drawdown its
borrower, a pledge its lender) counts only once that party signs ``claim.confirmed``
naming the claim's event id. Institutions confirm nearly always within hours; firms mostly
within a few days, and some never bother; fictitious claims are never confirmed (the
party ignores or rejects them). Rates are settings (``ConfirmConfig``, see README).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from simulations.agents import Agent, Seller
from simulations.world import World


def answer(
    w: World,
    s: Seller,
    rng: random.Random,
    claim: tuple[str, str, str, datetime],
    party: Agent,
    confirm: float,
    *,
    reject: float = 0.0,
    reason: str = "",
    institution: bool = False,
) -> None:
    """Schedule ``party``'s answer to ``claim`` = (event id, flow, claimant id, time)."""
    claim_id, flow, claimant, when = claim
    cfg = w.config.confirm
    draw = rng.random()
    if draw >= confirm + reject:
        return  # never answered
    if institution:
        delay = timedelta(
            hours=rng.randint(*cfg.institution_delay_hours), minutes=rng.randint(1, 59)
        )
    else:
        delay = timedelta(days=rng.randint(*cfg.firm_delay_days), hours=rng.randint(0, 10))
    payload = {"claim_id": claim_id, "party": party.pid}
    if draw < confirm:
        w.later(s, when + delay, party, flow, "claim.confirmed", payload, (claimant,))
    else:
        w.later(s, when + delay, party, flow, "claim.rejected", {**payload, "reason": reason},
                (claimant,))  # fmt: skip


def by_institution(
    w: World, s: Seller, rng: random.Random, claim: tuple[str, str, str, datetime], party: Agent
) -> None:
    answer(w, s, rng, claim, party, w.config.confirm.institution, institution=True)
