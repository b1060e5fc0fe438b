"""Sanity figures: what the simulated world looks like beside the public figures it imitates.

A reader judges the realism here: each figure is computed from one dry run and printed with
the band it should fall in and where that band comes from (see README.md for more). Rates of
default are per borrower-year: a seller counts as a borrower in a month in which it holds a
live credit facility.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from ledger.core.event_types import REGISTRY
from simulations.config import SimulationConfig
from simulations.engine import Simulation
from simulations.runner import summarise
from simulations.truth import MemoryTruth

_MYBANK = "MYbank bad loans under 1.5% vs industry 5.9% (DOMAIN.md)"
_SBA = "SBA 7(a): 17.4% of 2006-15 loans defaulted, 4.7 years on average (NerdWallet 2017)"


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    simulated: float
    unit: str
    low: float | None
    high: float | None
    source: str

    @property
    def within(self) -> bool | None:
        if self.low is None or self.high is None:
            return None
        return self.low <= self.simulated <= self.high


class _Losses:
    """Exposure at default and write-offs of resolved defaults, and confirmations, as the
    events go by. Loss given default is a workout figure: only defaults already written off
    count, so recoveries still to come at the horizon do not inflate it."""

    def __init__(self, fraud: set[str]) -> None:
        self.fraud = fraud
        self.borrower: dict[str, str] = {}
        self.ead: dict[str, int] = {}
        self.ead_resolved: Counter[bool] = Counter()
        self.lost: Counter[bool] = Counter()
        self.claims: Counter[str] = Counter()

    def __call__(
        self, flow: str, etype: str, actor: str, p: Mapping[str, Any], when: datetime
    ) -> None:
        key = str(p.get("loan_id") or p.get("line_id"))
        if etype in ("loan.disbursed", "credit_line.opened"):
            self.borrower[key] = str(p["borrower"])
        elif etype.endswith(".defaulted"):
            self.ead[key] = p["amount"]["amount_minor"]
        elif etype.endswith(".written_off"):
            fraud = self.borrower[key] in self.fraud
            self.ead_resolved[fraud] += self.ead[key]
            self.lost[fraud] += p["amount"]["amount_minor"]
        elif REGISTRY.event_type(flow, etype).confirmation is not None:
            self.claims["claims"] += 1
        elif etype == "claim.confirmed":
            self.claims["confirmed"] += 1

    def lgd(self, fraud: bool) -> float:
        return self.lost[fraud] / max(1, self.ead_resolved[fraud])


def _rate(group: pd.DataFrame) -> float:
    return float(group.default_date.notna().sum() / max(1.0, group.borrower_months.sum() / 12))


def figures(config: SimulationConfig) -> list[Figure]:
    truth = MemoryTruth()
    probe = Simulation(config, sign=False)  # the population alone, to know who is fraudulent
    fraud = {s.pid for s in probe.population.sellers if s.fraud}
    losses = _Losses(fraud)
    sim = Simulation(config, sign=False, truth=truth, observer=losses)
    sim.run()
    m = summarise(sim, None, 0.0).frame()
    monthly = pd.concat([pd.DataFrame(rows) for rows in truth.months], ignore_index=True)
    people = pd.DataFrame(truth.participants).set_index("participant_id")
    sellers = people[people.role == "seller"].copy()
    months = monthly[monthly.role == "seller"].assign(borrower=lambda x: x.facilities > 0)
    sellers["borrower_months"] = months.groupby("participant_id").borrower.sum()
    honest = sellers[~sellers.fraud.astype(bool)]
    defaulted = sellers[sellers.default_date.notna()]
    seller_years = m.active_sellers.sum() / 12
    accepted = m.orders.sum() - m.orders_cancelled.sum()
    settled = m.payments.sum() + m.nonpayments.sum()
    first = pd.to_datetime(defaulted.default_date).min() if len(defaulted) else None
    first_month = (
        (first.year - config.start.year) * 12 + first.month - config.start.month + 1
        if first is not None
        else float("nan")
    )
    lines = [
        Figure("honest borrowers' annual default rate", _rate(honest), "share", 0.01, 0.06,
               f"{_MYBANK}; {_SBA}; 6.0% of short-term SME loans (Fidrmuc et al. 2007)"),
        *[Figure(f"  of which {size} firms", _rate(group), "share", 0.01, 0.06,
                 "the same band for each size segment")
          for size, group in honest.groupby("size")],
        Figure("honest defaulted sellers", float(honest.default_date.notna().sum()), "firms",
               None, None, "what a credit model trains on; scales with participants x months"),
        Figure("fraud share of defaulted sellers", float(defaulted.fraud.astype(bool).mean()),
               "share", 0.0, 0.5, "fraud a minority of defaults (the Credit issue)"),
        Figure("month of the first default", float(first_month), "month", 1, 8,
               "early defaults: bank lines brought on day one, insolvency or 90 days past due"),
        Figure("failed sellers that had borrowed", float(
            (sellers[sellers.failure_date.notna()].borrower_months > 0).mean()), "share",
            0.3, 1.0, "adverse selection: firms in distress seek credit, some get it"),
        Figure("loss given default, honest", losses.lgd(False), "share", 0.3, 0.8,
               "Basel FIRB 45% senior unsecured; insolvency recovers 36 cents on the dollar in "
               "China (World Bank Doing Business 2020)"),
        Figure("loss given default, bust-outs", losses.lgd(True), "share", 0.8, 1.0,
               "a bust-out leaves nothing to recover"),
        Figure("share of paid invoices paid late", m.payments_late.sum() / max(1, m.payments.sum()),
               "share", 0.35, 0.55,
               "Atradius Payment Practices Barometer: 41.8% of B2B invoices past due in "
               "Western Europe (2018), 47% (2025)"),
        Figure("invoices never paid", m.nonpayments.sum() / max(1, settled), "share", 0.013, 0.10,
               "Atradius: uncollectable B2B receivables 1.3% (W. Europe 2018) to 10% of "
               "invoice value (W. Europe 2021)"),
        Figure("mean accepted order value", m.gmv_minor.sum() / 100 / max(1, accepted), "USD",
               None, None, "size settings: B2B median orders of US$400 / 1,000 / 3,000"),
        Figure("trade per seller per year", m.gmv_minor.sum() / 100 / max(1.0, seller_years),
               "USD", 15_800 / 3, 15_800 * 10,
               "OSell: about US$3 bn a year over about 190,000 SMEs = US$15,800 each; ours are "
               "active exporters, so higher"),
        Figure("cancelled orders", m.orders_cancelled.sum() / max(1, m.orders.sum()), "share",
               None, None, "model outcome: changes of mind, prices, lead times, stock, cash"),
        Figure("deliveries on time", m.deliveries_on_time.sum() / max(1, m.deliveries.sum()),
               "share", None, None, "model outcome of transit, customs holds and quality"),
        Figure("customs declarations held", m.customs_holds.sum()
               / max(1, m.customs_declarations.sum()), "share", None, None,
               "settings hold_rate by market, policy_hold_rate in shocks"),
        Figure("seller insolvencies per year", m.failures.sum() / max(1.0, seller_years),
               "share", 0.02, 0.10, "EU enterprise death rates of several per cent a year "
               "(Eurostat business demography); online sellers churn more"),
        Figure("claims confirmed by the bound party", losses.claims["confirmed"]
               / max(1, losses.claims["claims"]), "share", None, None,
               "ConfirmConfig: firms confirm 85-93%, institutions 99%, fictitious claims 0%"),
        Figure("lenders", float(len(sim.population.lenders)), "lenders", 5,
               float(config.participants), "one per 200 participants, at least five"),
    ]  # fmt: skip
    return lines


def table(config: SimulationConfig) -> pd.DataFrame:
    rows = [
        {
            "figure": f.name,
            "simulated": f.simulated,
            "unit": f.unit,
            "reference": "" if f.low is None else f"{f.low:,.3g} to {f.high:,.3g}",
            "within": f.within,
            "source": f.source,
        }
        for f in figures(config)
    ]
    return pd.DataFrame(rows)
