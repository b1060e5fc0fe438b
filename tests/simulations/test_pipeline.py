"""Appending in a worker process writes the ledger an in-process run writes, byte for byte,
and a refusal in the worker reaches the caller with its code, field and entry."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.core.errors import LedgerError
from ledger.core.events import Event
from ledger.core.keys import SigningKey
from simulations.cli import app
from simulations.pipeline import LedgerSpec, PipelinedSink


def _simulate(db: Path, *flags: str) -> None:
    args = ["simulate", "--db", f"sqlite:///{db}", "-n", "100", "-m", "2", "--seed", "6"]
    result = CliRunner().invoke(app, [*args, "--no-progress", *flags])
    assert result.exit_code == 0, result.output


def _ledger_bytes(db: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with sqlite3.connect(db) as c:
        entries = c.execute(
            "SELECT seq, canonical, signature, recorded_at, leaf_hash, chain_hash FROM entries "
            "ORDER BY seq"
        ).fetchall()
        checkpoints = c.execute("SELECT * FROM checkpoints ORDER BY 1").fetchall()
    return entries, checkpoints


def test_a_pipelined_run_writes_the_same_ledger_as_an_in_process_one(tmp_path: Path) -> None:
    _simulate(tmp_path / "pipelined.db", "--pipeline")
    _simulate(tmp_path / "in_process.db", "--no-pipeline")
    pipelined, in_process = (
        _ledger_bytes(tmp_path / "pipelined.db"),
        _ledger_bytes(tmp_path / "in_process.db"),
    )
    assert len(pipelined[0]) > 1000
    assert len(pipelined[1]) > 1
    assert pipelined == in_process


def test_a_refusal_in_the_worker_is_raised_here_with_its_field(tmp_path: Path) -> None:
    at = datetime(2024, 1, 1, tzinfo=UTC)
    stranger = SigningKey(bytes(range(1, 33)))  # never registered
    event = Event.create(stranger, flow="information", type="order.accepted",
                         actor="seller-x", payload={"order_id": "o-1", "seller": "seller-x"},
                         occurred_at=at)  # fmt: skip
    spec = LedgerSpec(f"sqlite:///{tmp_path / 'refused.db'}", at, key_seed=bytes(32))
    sink = PipelinedSink(spec)
    try:
        sink.append_batch([event])  # sent: the worker judges it while this process goes on
        with pytest.raises(LedgerError) as refused:
            sink.close()
    finally:
        sink.abort()
    # the worker's own verdict (an actor the registry does not know), not a generic failure
    assert (refused.value.code, refused.value.status, refused.value.field) == (
        "unknown_key",
        422,
        "actor",
    )


def test_events_cross_to_the_worker_as_tuples_and_come_back_equal() -> None:
    import pickle

    from simulations.pipeline import _unwire, _wire

    key = SigningKey(bytes(range(32)))
    sent = [
        Event.create(key, flow="information", type="order.placed", actor="buyer-1",
                     payload={"order_id": f"o-{i}", "lines": [{"sku": "x", "qty": i}]},
                     occurred_at=datetime(2025, 1, 1, i, tzinfo=UTC), subjects=["seller-1"])
        for i in range(3)
    ]  # fmt: skip
    wire = pickle.loads(pickle.dumps(_wire(sent)))
    assert all(type(row) is tuple for row in wire)
    back = _unwire(wire)
    assert back == sent
    assert [(e.canonical, e.signature, e.occurred_at) for e in back] == [
        (e.canonical, e.signature, e.occurred_at) for e in sent
    ]
