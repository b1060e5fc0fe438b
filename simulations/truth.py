"""Ground truth: what the simulation knows and no participant could.

Written beside the ledger, never into it: ``participants.parquet`` (fraud intent and type,
latent creditworthiness, operational and logistics quality at start and end, months in
distress, the day cash broke the failure line), ``monthly.parquet`` (per firm and month:
latent scores, hidden cash, debt, days past due, distress, status; written a month at a
time so memory stays flat) and ``markets.parquet`` (the shock path). ``loans.parquet``
holds each facility's outcome; everything in it is also on the ledger (ids, default dates
and reasons, exposure, recoveries, write-offs) and is kept only so labels read from the
ledger can be checked. Rows are built from the population, not the engine.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from simulations.config import SimulationConfig
from simulations.markets import MarketRow
from simulations.outcomes import LoanOutcome
from simulations.population import Population

Columns = dict[str, list[Any]]

MONTHLY_SCHEMA = pa.schema(
    [
        ("month", pa.string()),
        ("participant_id", pa.string()),
        ("role", pa.string()),
        ("latent_credit", pa.float64()),
        ("latent_quality", pa.float64()),
        ("latent_logistics", pa.float64()),
        ("cash_minor", pa.int64()),
        ("debt_minor", pa.int64()),
        ("max_dpd", pa.int64()),
        ("facilities", pa.int64()),
        ("distressed", pa.bool_()),
        ("status", pa.string()),
    ]
)
LOAN_SCHEMA = pa.schema(
    [
        ("loan_id", pa.string()),
        ("product", pa.string()),
        ("borrower", pa.string()),
        ("lender", pa.string()),
        ("application_id", pa.string()),
        ("opened", pa.date32()),
        ("amount_minor", pa.int64()),
        ("drawn_total_minor", pa.int64()),
        ("status", pa.string()),
        ("closed", pa.date32()),
        ("default_date", pa.date32()),
        ("default_reason", pa.string()),
        ("ead_minor", pa.int64()),
        ("recovery_minor", pa.int64()),
        ("loss_minor", pa.int64()),
    ]
)


class TruthRecorder(Protocol):
    def month(self, rows: Columns) -> None: ...
    def loans(self, rows: Sequence[LoanOutcome]) -> None: ...
    def finish(
        self, participants: Columns, markets: Sequence[MarketRow], open_loans: Sequence[LoanOutcome]
    ) -> None: ...


def _loan_columns(rows: Sequence[LoanOutcome]) -> Columns:
    names = LOAN_SCHEMA.names
    return {name: [getattr(row, name) for row in rows] for name in names}


class ParquetTruth:
    """Writes the ground truth as Parquet files in ``directory``."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._monthly = pq.ParquetWriter(self.directory / "monthly.parquet", MONTHLY_SCHEMA)
        self._loans = pq.ParquetWriter(self.directory / "loans.parquet", LOAN_SCHEMA)

    def close(self) -> None:
        """Close the streamed files (safe to call twice; a stopped run leaves them readable)."""
        self._monthly.close()
        self._loans.close()

    def month(self, rows: Columns) -> None:
        self._monthly.write_table(pa.table(rows, schema=MONTHLY_SCHEMA))

    def loans(self, rows: Sequence[LoanOutcome]) -> None:
        if rows:
            self._loans.write_table(pa.table(_loan_columns(rows), schema=LOAN_SCHEMA))

    def finish(
        self, participants: Columns, markets: Sequence[MarketRow], open_loans: Sequence[LoanOutcome]
    ) -> None:
        self.loans(open_loans)
        self.close()
        pq.write_table(pa.table(participants), self.directory / "participants.parquet")
        market_columns = {
            f.name: [getattr(row, f.name) for row in markets] for f in dataclasses.fields(MarketRow)
        }
        pq.write_table(pa.table(market_columns), self.directory / "markets.parquet")


class MemoryTruth:
    """Keeps the ground truth in memory, for tests and scenario comparisons."""

    def __init__(self) -> None:
        self.months: list[Columns] = []
        self.closed: list[LoanOutcome] = []
        self.participants: Columns = {}
        self.markets: list[MarketRow] = []

    def month(self, rows: Columns) -> None:
        self.months.append(rows)

    def loans(self, rows: Sequence[LoanOutcome]) -> None:
        self.closed.extend(rows)

    def finish(
        self, participants: Columns, markets: Sequence[MarketRow], open_loans: Sequence[LoanOutcome]
    ) -> None:
        self.participants = participants
        self.markets = list(markets)
        self.closed.extend(open_loans)


def monthly_rows(pop: Population, today: date) -> Columns:
    month = today.strftime("%Y-%m")
    sellers, buyers = pop.sellers, pop.buyers
    n_s, n_b = len(sellers), len(buyers)
    no_value: list[Any] = [None] * n_b
    return {
        "month": [month] * (n_s + n_b),
        "participant_id": [s.pid for s in sellers] + [b.pid for b in buyers],
        "role": ["seller"] * n_s + ["buyer"] * n_b,
        "latent_credit": [s.credit for s in sellers] + [b.discipline for b in buyers],
        "latent_quality": [s.quality for s in sellers] + no_value,
        "latent_logistics": [s.logistics for s in sellers] + no_value,
        "cash_minor": [s.cash for s in sellers] + no_value,
        "debt_minor": [s.debt() for s in sellers] + [0] * n_b,
        "max_dpd": [s.max_dpd(today) for s in sellers] + [0] * n_b,
        "facilities": [len(s.live_facilities()) for s in sellers] + [0] * n_b,
        "distressed": [s.distressed for s in sellers] + [False] * n_b,
        "status": [s.status for s in sellers] + ["active"] * n_b,
    }


_PARTICIPANT_COLUMNS = (
    "participant_id", "role", "kind", "country", "sector", "size", "fraud", "fraud_type",
    "latent_credit_start", "latent_credit_end", "latent_quality_start", "latent_quality_end",
    "latent_logistics_start", "latent_logistics_end", "distress_months", "status",
    "default_date", "failure_date",
)  # fmt: skip


def participant_rows(pop: Population, cfg: SimulationConfig) -> Columns:
    cols: Columns = {name: [] for name in _PARTICIPANT_COLUMNS}
    sellers = {s.pid: s for s in pop.sellers}
    buyers = {b.pid: b for b in pop.buyers}
    for agent in pop.everyone():
        ident = agent.identity
        s, b = sellers.get(ident.participant_id), buyers.get(ident.participant_id)
        row: dict[str, Any] = dict.fromkeys(_PARTICIPANT_COLUMNS)
        row.update(participant_id=ident.participant_id, role=ident.role, kind=ident.kind,
                   country=ident.country, fraud=False, status="active")  # fmt: skip
        if s is not None:
            row.update(
                sector=cfg.sectors[s.sector].name, size=cfg.sizes[s.size].name, fraud=s.fraud,
                fraud_type="bust_out" if s.fraud else None,
                latent_credit_start=s.credit_start, latent_credit_end=s.credit,
                latent_quality_start=s.quality_start, latent_quality_end=s.quality,
                latent_logistics_start=s.logistics_start, latent_logistics_end=s.logistics,
                distress_months=s.distress_months, status=s.status,
                default_date=s.default_date, failure_date=s.failure_date,
            )  # fmt: skip
        elif b is not None:
            row.update(
                fraud=b.fraud, fraud_type="non_payment" if b.fraud else None,
                latent_credit_start=b.discipline_start, latent_credit_end=b.discipline,
            )  # fmt: skip
        for name, value in row.items():
            cols[name].append(value)
    return cols
