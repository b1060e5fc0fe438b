"""Same seed, same ledger, byte for byte; another seed, another world.

The ledger-level test runs a small simulation twice into fresh SQLite ledgers opened with
the simulation's clock and a key derived from the seed, and compares every entry (its
canonical bytes, signature, leaf hash, chain hash and recording time, operator entries
included) and the signed checkpoint note.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ledger.log import CheckpointPolicy, Ledger
from simulations.config import SimulationConfig
from simulations.engine import Simulation
from simulations.runner import ledger_key_for, run_simulation, simulation_clock
from simulations.signer import agent_key
from simulations.truth import MemoryTruth

CONFIG = SimulationConfig(participants=100, months=2, seed=11)


def _ledger(folder: Path, config: SimulationConfig) -> tuple[list[tuple[object, ...]], str]:
    clock = simulation_clock(config)
    url = f"sqlite:///{folder / 'sim.db'}"
    ledger = Ledger.open(
        url,
        ledger_key=ledger_key_for(config.seed),
        clock=clock,
        policy=CheckpointPolicy(every_entries=1000, every_seconds=86_400),
    )
    try:
        run_simulation(config, ledger, folder / "truth", progress=False, clock=clock)
        note = ledger.checkpoint().note
        entries = [ledger.entry(seq) for seq in range(ledger.size())]
    finally:
        ledger.close()
    rows = [
        (e.event.canonical, e.event.signature, e.leaf_hash, e.chain_hash, e.recorded_at)
        for e in entries
    ]
    return rows, note


def test_same_seed_same_ledger_byte_for_byte(tmp_path: Path) -> None:
    first, first_note = _ledger(tmp_path / "a", CONFIG)
    second, second_note = _ledger(tmp_path / "b", CONFIG)
    assert len(first) > 2000
    assert first == second
    assert first_note == second_note
    other, other_note = _ledger(
        tmp_path / "c", SimulationConfig(participants=100, months=2, seed=12)
    )
    assert other_note.splitlines()[2] != first_note.splitlines()[2]  # another root
    assert other[0] != first[0]


def _digest(config: SimulationConfig) -> tuple[str, int]:
    digest = hashlib.sha256()
    count = 0
    for event in Simulation(config).events():
        digest.update(event.canonical)
        digest.update(event.signature)
        count += 1
    return digest.hexdigest(), count


def test_another_seed_gives_another_stream() -> None:
    other = SimulationConfig(participants=100, months=2, seed=12)
    assert _digest(CONFIG)[0] != _digest(other)[0]


def test_keys_derive_from_seed_and_participant_only() -> None:
    assert agent_key(11, "seller-000001") == agent_key(11, "seller-000001")
    assert agent_key(11, "seller-000001") != agent_key(12, "seller-000001")
    small = Simulation(SimulationConfig(participants=100, months=1, seed=11))
    large = Simulation(SimulationConfig(participants=400, months=1, seed=11))
    small_keys = dict((i.participant_id, k) for i, k in small.identities())
    large_keys = dict((i.participant_id, k) for i, k in large.identities())
    assert small_keys["platform-0001"] == large_keys["platform-0001"]
    assert ledger_key_for(11).public_key != ledger_key_for(12).public_key


def test_dry_run_follows_the_signed_path() -> None:
    signed, dry = MemoryTruth(), MemoryTruth()
    a = Simulation(CONFIG, truth=signed)
    for _ in a.events():
        pass
    b = Simulation(CONFIG, sign=False, truth=dry)
    b.run()
    assert [m.as_dict() for m in a.metrics] == [m.as_dict() for m in b.metrics]
    assert signed.participants == dry.participants
    assert a.emitter.by_type == b.emitter.by_type
