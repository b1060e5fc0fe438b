"""Scenario worlds: the same ecosystem with switches changed, for comparisons and ablations.

``baseline`` has warehouse-receipt financing and shocks. ``null-logistics`` is the world in
which logistics carries no information about default: logistics quality is an independent
latent, late or lost goods never move cash (terms run from the invoice, carriers replace
lost goods), restocking ignores cash, and there is no receipt financing (whose sales would
empty warehouses just before defaults). A credit ablation that finds logistics informative
in the baseline must find it uninformative here. The others switch financing and shocks.

Each scenario is the base config with switches changed; the population, the keys and the
shock path come from the seed, so differences come from the switches alone. Comparisons run
dry (nothing signed). Output: per-month and summary tables (CSV and Markdown) and PNG plots.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from simulations.config import SimulationConfig
from simulations.engine import Simulation
from simulations.runner import SimulationSummary, summarise

SCENARIOS: dict[str, tuple[bool, bool, bool]] = {
    # name: (warehouse_financing, shocks, logistics_informative)
    "baseline": (True, True, True),
    "null-logistics": (False, True, False),
    "no-financing": (False, True, True),
    "no-shocks": (True, False, True),
    "calm-no-financing": (False, False, True),
}


def scenario_config(base: SimulationConfig, name: str) -> SimulationConfig:
    try:
        financing, shocks, logistics = SCENARIOS[name]
    except KeyError:
        from simulations.errors import ConfigError

        raise ConfigError(f"unknown scenario; one of {', '.join(SCENARIOS)}",
                          field="scenario") from None  # fmt: skip
    return dataclasses.replace(
        base, warehouse_financing=financing, shocks=shocks, logistics_informative=logistics
    )


def run_dry(config: SimulationConfig) -> SimulationSummary:
    sim = Simulation(config, sign=False)
    sim.run()
    return summarise(sim, None, 0.0)


def monthly_table(runs: dict[str, SimulationSummary]) -> pd.DataFrame:
    frames = []
    for name, summary in runs.items():
        frame = summary.frame().reset_index()
        frame.insert(0, "scenario", name)
        frames.append(frame)
    table: pd.DataFrame = pd.concat(frames, ignore_index=True)
    return table


def summary_table(runs: dict[str, SimulationSummary]) -> pd.DataFrame:
    """One row per scenario: volumes, credit extended, defaults, losses, failures."""
    rows = []
    for name, summary in runs.items():
        m = summary.frame()
        years = len(m) / 12
        extended = m.credit_drawn_minor.sum() + m.receipt_loan_minor.sum()
        borrowers = m.borrowers.mean()
        rows.append(
            {
                "scenario": name,
                "gmv_usd": m.gmv_minor.sum() / 100,
                "orders": int(m.orders.sum()),
                "cancelled_share": m.orders_cancelled.sum() / max(1, m.orders.sum()),
                "late_payment_share": m.payments_late.sum() / max(1, m.payments.sum()),
                "credit_extended_usd": extended / 100,
                "receipt_loans": int(m.receipt_loans.sum()),
                "margin_calls": int(m.margin_calls.sum()),
                "liquidations": int(m.liquidations.sum()),
                "defaults": int(m.defaults.sum()),
                "defaulted_sellers": int(m.defaulted_sellers.sum()),
                "annual_default_rate": m.defaulted_sellers.sum() / max(1.0, borrowers) / years,
                "losses_usd": m.losses_minor.sum() / 100,
                "loss_rate": m.losses_minor.sum() / max(1, extended),
                "failures": int(m.failures.sum()),
                "active_sellers_end": int(m.active_sellers.iloc[-1]),
            }
        )
    return pd.DataFrame(rows).set_index("scenario")


def markdown(frame: pd.DataFrame) -> str:
    """A GitHub table of ``frame`` (pandas needs the optional tabulate package for this)."""

    def cell(value: object) -> str:
        if isinstance(value, float) and not value.is_integer():
            return f"{value:,.4f}" if abs(value) < 1 else f"{value:,.0f}"
        if isinstance(value, float):
            return f"{int(value):,}"
        return f"{value:,}" if isinstance(value, int) else str(value)

    header = ["", *map(str, frame.columns)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for index, row in frame.iterrows():
        lines.append("| " + " | ".join([str(index), *map(cell, row.tolist())]) + " |")
    return "\n".join(lines)


def plot(monthly: pd.DataFrame, out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charts = {
        "defaults.png": (("defaults", "facility defaults"), ("failures", "insolvencies")),
        "losses.png": (("losses_minor", "lender losses (USD)"),),
        "volumes.png": (("gmv_minor", "GMV (USD)"), ("active_sellers", "active sellers")),
    }
    written = []
    for filename, series in charts.items():
        fig, axes = plt.subplots(len(series), 1, figsize=(9, 3.2 * len(series)), squeeze=False)
        for ax, (column, title) in zip(axes[:, 0], series, strict=True):
            for name, group in monthly.groupby("scenario", sort=False):
                values = group[column] / (100 if column.endswith("_minor") else 1)
                ax.plot(group["month"], values, marker="o", markersize=3, label=str(name))
            ax.set_title(title)
            ax.tick_params(axis="x", labelrotation=45, labelsize=7)
            ax.grid(alpha=0.3)
        axes[0, 0].legend(fontsize=8)
        fig.tight_layout()
        path = out / filename
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written


def compare(
    base: SimulationConfig, out: Path | str, names: Sequence[str] = tuple(SCENARIOS)
) -> pd.DataFrame:
    """Run each scenario, write tables and plots to ``out``; return the summary table."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    runs = {name: run_dry(scenario_config(base, name)) for name in names}
    monthly = monthly_table(runs)
    summary = summary_table(runs)
    monthly.to_csv(folder / "monthly.csv", index=False)
    summary.to_csv(folder / "summary.csv")
    (folder / "summary.md").write_text(
        f"# Scenarios: {base.participants} participants, {base.months} months, "
        f"seed {base.seed}\n\n{markdown(summary.T)}\n"
    )
    plot(monthly, folder)
    return summary
