"""The ``threeflow`` command: ledger commands, the simulation, the server, the demo.

This is the composition root: it is the one module allowed to know every package.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from ledger import cli as ledger_cli
from ledger.errors import LedgerError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="threeflow: a verifiable three-flow supply-chain ledger with supply-chain finance.",
)
app.registered_commands.extend(ledger_cli.app.registered_commands)
console = Console(stderr=True)


def _serve(db: str, key_file: Path, host: str, port: int, workers: int) -> None:
    os.environ["THREEFLOW_DB_URL"] = db
    os.environ["THREEFLOW_LEDGER_KEY_FILE"] = str(key_file)
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
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    _serve(db, key_file, host, port, workers)


@app.command("participant-add")
def participant_add(
    participant_id: Annotated[str, typer.Argument()],
    legal_name: Annotated[str, typer.Option("--name")],
    roles: Annotated[list[str], typer.Option("--role")],
    public_key: Annotated[str, typer.Option("--public-key", help="Ed25519 public key, hex")],
    country: Annotated[str | None, typer.Option("--country")] = None,
    db: Annotated[str, typer.Option("--db")] = "sqlite:///var/threeflow.db",
    key_file: Annotated[Path, typer.Option("--key-file")] = Path("var/ledger.key"),
) -> None:
    """Register a participant and its first key (two operator-signed entries)."""
    from ledger.keys import parse_public_key
    from ledger.service import Ledger

    try:
        with Ledger.open(db, key_file=key_file) as ledger:
            entries = ledger.register_participant(
                participant_id,
                legal_name,
                roles,
                country,
                parse_public_key(public_key),
                ledger.clock.now(),
            )
    except LedgerError as exc:
        console.print(f"[red]error:[/red] {exc}" + (f" ({exc.field})" if exc.field else ""))
        raise typer.Exit(1) from None
    console.print(f"registered {participant_id} at entries {entries[0].seq}-{entries[-1].seq}")


@app.command("apikey-create")
def apikey_create(
    participant_id: Annotated[str, typer.Argument()],
    label: Annotated[str, typer.Option("--label")] = "default",
    db: Annotated[str, typer.Option("--db")] = "sqlite:///var/threeflow.db",
) -> None:
    """Issue an API key for a participant; the secret is printed once, never stored."""
    from finance_api.auth import create_api_key
    from ledger.service import Ledger

    try:
        with Ledger.open(db, read_only=True) as ledger:
            secret = create_api_key(ledger.engines.write, participant_id, label, datetime.now(UTC))
    except LedgerError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    typer.echo(secret)


@app.command()
def demo(
    db: Annotated[str, typer.Option("--db")] = "sqlite:///var/threeflow.db",
    key_file: Annotated[Path, typer.Option("--key-file")] = Path("var/ledger.key"),
    port: Annotated[int, typer.Option("--port", envvar="PORT")] = 8000,
    serve_api: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
) -> None:
    """Build a demo ledger (once), checkpoint, verify, summarise, then serve the API."""
    from finance_api import demo_scenario
    from ledger.audit import verify_database
    from ledger.service import Ledger

    with Ledger.open(db, key_file=key_file) as ledger:
        if ledger.size() <= 2:
            demo_scenario.register(ledger)
            stream = demo_scenario.events()
            with ledger_cli.progress_bar("appending demo events") as update:
                while batch := list(islice(stream, 500)):
                    ledger.append_batch(batch)
                    update(ledger.size(), 0)
        signed = ledger.checkpoint()
    report = verify_database(db)
    table = Table(title="threeflow demo ledger")
    table.add_column("what")
    table.add_column("value")
    table.add_row("database", db)
    table.add_row("entries", str(report.tree_size))
    table.add_row("participants", str(report.participants))
    table.add_row("signed checkpoints", str(report.checkpoints))
    table.add_row("root hash", report.root_hash.hex())
    table.add_row("verified", "yes: leaves, chain, signatures, keys, checkpoints, subtree hashes")
    console.print(table)
    console.print(signed.note, soft_wrap=True, highlight=False)
    if serve_api:
        console.print(f"serving on http://127.0.0.1:{port} (docs at /docs)")
        _serve(db, key_file, "127.0.0.1", port, 1)


if __name__ == "__main__":  # pragma: no cover
    app()
