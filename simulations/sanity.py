"""Sanity figures: what the simulated world looks like beside the public figures it imitates.

A reader judges the realism here: each figure is computed from a dry run and printed with
the range it should resemble and where that range comes from (see README.md for more).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from simulations.config import SimulationConfig
from simulations.engine import Simulation
from simulations.runner import summarise


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


def figures(config: SimulationConfig) -> list[Figure]:
    sim = Simulation(config, sign=False)
    sim.run()
    m = summarise(sim, None, 0.0).frame()
    sellers = len(sim.population.sellers)
    seller_years = m.active_sellers.sum() / 12
    borrower_years = m.borrowers.sum() / 12
    accepted = m.orders.sum() - m.orders_cancelled.sum()
    settled = m.payments.sum() + m.nonpayments.sum()
    lines = [
        Figure("annual default rate of borrowers (90+ dpd)",
               m.defaulted_sellers.sum() / max(1.0, borrower_years), "share", 0.015, 0.06,
               "MYbank bad loans under 1.5% vs industry 5.9% (DOMAIN.md); 6.0% of short-term "
               "SME loans defaulted in Slovakia 2000-05 (Fidrmuc, Hainz, Malesich 2007)"),
        Figure("share of paid invoices paid late", m.payments_late.sum() / max(1, m.payments.sum()),
               "share", 0.35, 0.55,
               "Atradius Payment Practices Barometer: 41.8% of B2B invoices past due in "
               "Western Europe (2018), 47% (2025)"),
        Figure("mean days beyond terms, late payers",
               m.days_late_total.sum() / max(1, m.payments_late.sum()), "days", None, None,
               "setting late_days_mean (Atradius reports DSO, not days beyond terms)"),
        Figure("invoices never paid", m.nonpayments.sum() / max(1, settled), "share", 0.013, 0.10,
               "Atradius: uncollectable B2B receivables 1.3% (W. Europe 2018) to 10% of "
               "invoice value (W. Europe 2021)"),
        Figure("mean accepted order value", m.gmv_minor.sum() / 100 / max(1, accepted), "USD",
               None, None, "size settings: B2B median orders of US$400 / 1,000 / 3,000"),
        Figure("trade per seller per year", m.gmv_minor.sum() / 100 / max(1.0, seller_years),
               "USD", 15_800 / 3, 15_800 * 10,
               "OSell: about US$3 bn a year over about 190,000 SMEs = US$15,800 each; ours are "
               "active exporters, so higher"),
        Figure("orders per seller per month", m.orders.sum() / max(1, m.active_sellers.sum()),
               "orders", None, None,
               "size settings; Zongteng's 50,000 orders a day are one large seller's"),
        Figure("cancelled orders", m.orders_cancelled.sum() / max(1, m.orders.sum()), "share",
               None, None, "model outcome: cancellations, out of stock, no working capital"),
        Figure("deliveries on time", m.deliveries_on_time.sum() / max(1, m.deliveries.sum()),
               "share", None, None, "model outcome of transit, customs holds and quality"),
        Figure("customs declarations held", m.customs_holds.sum()
               / max(1, m.customs_declarations.sum()), "share", None, None,
               "settings hold_rate by market, policy_hold_rate in shocks"),
        Figure("seller insolvencies per year", m.failures.sum() / max(1.0, seller_years),
               "share", 0.02, 0.10, "EU enterprise death rates of several per cent a year "
               "(Eurostat business demography); online sellers churn more"),
        Figure("loss given default", m.losses_minor.sum() / max(1, m.default_exposure_minor.sum()),
               "share", 0.2, 0.8, "Basel foundation IRB: LGD 45% senior unsecured; "
               "receipt loans recover collateral"),
        Figure("sellers that ever borrowed", sum(1 for s in sim.population.sellers
               if s.lines or s.loans) / max(1, sellers), "share", None, None,
               "model outcome: applications and pledges"),
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
