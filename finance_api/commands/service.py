"""Service commands of ``threeflow``: serve the API, onboard participants, run the demo.

Loaded only when one of them runs (see :mod:`finance_api.cli`, the composition root).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from ledger.core.errors import LedgerError
from ledger.log import Ledger

app = typer.Typer(no_args_is_help=True, add_completion=False)
console = Console(stderr=True)


def one_cpu(allowed: set[int]) -> set[int]:
    """The one CPU a single-worker server keeps to: the highest allowed (CPU 0 often takes
    the machine's interrupts)."""
    return {max(allowed)}


PINNED_SIGNATURE_THREADS = 1
"""A pinned worker checks a batch's signatures and signs its receipts on the thread that
would wait for them: on one CPU, signature threads could only take turns with it, and the
hand-offs and GIL switches cost about what they overlap, or a little more
(``bench_client --events 10000``, twelve interleaved pairs on the shared machine: the raw
posts faster in eight, by a median 2 %, and the server's CPU an event lower in nine, by a
median 10 µs of about 150: small). ``THREEFLOW_SIGNATURE_THREADS`` overrides it."""


def pin_to_one_cpu() -> set[int]:
    """Keeps this process and the threads it starts on one CPU; returns the CPUs allowed.

    A worker's event loop hands every database read to a thread and waits for it. Between
    two CPUs of a virtual machine each hand-off costs a wake-up of the other CPU: measured
    here, a proof read took 268 µs a hop on two CPUs against 56 µs on one (38 µs of it the
    read), and fresh proofs over HTTP went from 23 % to 82 % of a trivial endpoint. What
    runs in parallel in one worker is only what releases the GIL (signature checks of a
    batch, SQLite's I/O): batched ``POST /v1/events`` measured the same either way.
    """
    if not hasattr(os, "sched_setaffinity"):  # not Linux: the scheduler decides
        return set()
    allowed = os.sched_getaffinity(0)
    if len(allowed) > 1:
        os.sched_setaffinity(0, one_cpu(allowed))
    return os.sched_getaffinity(0)


def _serve(db: str, key_file: Path, host: str, port: int, workers: int, pin: bool) -> None:
    os.environ["THREEFLOW_DB_URL"] = db
    os.environ["THREEFLOW_LEDGER_KEY_FILE"] = str(key_file)
    if pin and workers == 1:  # several workers: the kernel spreads the processes itself
        pin_to_one_cpu()
        os.environ.setdefault("THREEFLOW_SIGNATURE_THREADS", str(PINNED_SIGNATURE_THREADS))
    uvicorn.run(
        "finance_api.main:create_from_settings",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        log_level="warning",
    )


@app.command()
def serve(
    db: Annotated[str, typer.Option("--db")] = "sqlite:///var/threeflow.db",
    key_file: Annotated[Path, typer.Option("--key-file")] = Path("var/ledger.key"),
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", envvar="PORT")] = 8000,
    workers: Annotated[int, typer.Option("--workers")] = 1,
    pin_cpu: Annotated[
        bool,
        typer.Option(
            "--pin-cpu/--no-pin-cpu",
            help="one worker: keep it and its threads on one CPU (cheap thread hand-offs)",
        ),
    ] = True,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    _serve(db, key_file, host, port, workers, pin_cpu)


@app.command()
def demo(
    db: Annotated[str, typer.Option("--db")] = "sqlite:///var/threeflow.db",
    key_file: Annotated[Path, typer.Option("--key-file")] = Path("var/ledger.key"),
    port: Annotated[int, typer.Option("--port", envvar="PORT")] = 8000,
    serve_api: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
    fresh: Annotated[
        bool, typer.Option("--fresh/--keep", help="rebuild the demo ledger from scratch")
    ] = True,
    participants: Annotated[
        int, typer.Option("--participants", help="size of the simulated ecosystem")
    ] = 200,
) -> None:
    """Build a demo ledger, checkpoint, anchor in-process, verify, summarise, serve the API.

    The anchor goes to web3's in-process EVM, which lives only as long as this process, so
    the demo rebuilds its ledger each run (``--keep`` to skip that and the anchoring).
    """
    from finance_api import demo_credit, demo_receipts, demo_receivables
    from ledger.audit.database import verify_database
    from ledger.log import CheckpointPolicy
    from simulations.cli import truth_path_for
    from simulations.config import SimulationConfig
    from simulations.runner import run_simulation, simulation_clock

    if fresh:
        _remove_sqlite(db)
    anchored = None
    simulated = None
    story: list[tuple[str, str]] = []
    config = SimulationConfig(participants=participants, months=12, seed=7, start=date(2025, 1, 1))
    clock = simulation_clock(config)  # the ledger records the year at simulated time
    policy = CheckpointPolicy(every_entries=1000, every_seconds=86_400)
    with Ledger.open(db, key_file=key_file, clock=clock, policy=policy) as ledger:
        if ledger.size() <= 2:
            simulated = run_simulation(
                config, ledger, truth_path_for(db), progress=True, clock=clock
            )
            story = demo_receipts.run(ledger)  # receipts pledged, a margin call, a sale
            story += demo_receivables.run(ledger)  # a factored invoice, a double financing refused
        signed = ledger.checkpoint()
        if fresh:
            anchored = _anchor_in_process(ledger)
    report = verify_database(db)
    table = Table(title="threeflow demo ledger")
    table.add_column("what")
    table.add_column("value")
    table.add_row("database", db)
    table.add_row("entries", str(report.tree_size))
    if simulated is not None:
        table.add_row(
            "simulated",
            f"{simulated.participants} participants, {simulated.months} months, "
            f"{simulated.events} signed events in {simulated.seconds:.0f} s "
            f"(ground truth: {simulated.ground_truth})",
        )
    table.add_row("participants", str(report.participants))
    for what, value in story:
        table.add_row(what, value)
    table.add_row("signed checkpoints", str(report.checkpoints))
    table.add_row("root hash", report.root_hash.hex())
    table.add_row("verified", "yes: leaves, chain, signatures, keys, checkpoints, subtree hashes")
    if anchored is not None:
        table.add_row("anchored", anchored)
    demo_credit.prepare(db, key_file, table, port)
    console.print(table)
    console.print(signed.note, soft_wrap=True, highlight=False)
    if serve_api:
        console.print(f"serving on http://127.0.0.1:{port} (docs at /docs)")
        _serve(db, key_file, "127.0.0.1", port, 1, True)


def _remove_sqlite(db: str) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(db)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        for suffix in ("", "-wal", "-shm"):
            Path(url.database + suffix).unlink(missing_ok=True)


def _anchor_in_process(ledger: Ledger) -> str:
    """Anchor the latest checkpoint on the in-process EVM, confirm it, verify it on chain."""
    from eth_account import Account

    from ledger.anchoring.chain import Chain
    from ledger.anchoring.cli import deploy_for
    from ledger.anchoring.service import AnchorService
    from ledger.anchoring.settings import AnchorSettings
    from ledger.anchoring.verify import verify_ledger_anchors

    settings = AnchorSettings(confirmations=2)
    chain = Chain.in_process()
    account = Account.create()
    client = deploy_for(chain, ledger, account)
    service = AnchorService(ledger, chain, client, account, settings)
    row = service.anchor_latest()
    chain.mine(settings.confirmations)
    service.poll()
    verified = verify_ledger_anchors(ledger, chain, client, settings.confirmations)
    if row is None or not verified:
        raise LedgerError("the demo anchor was not confirmed on the in-process EVM")
    return (
        f"size {verified[-1].tree_size} in block {verified[-1].block_number} of the in-process "
        f"EVM, contract {client.address}, verified on chain"
    )
