"""Ledger commands of the ``threeflow`` CLI: checkpoints, proofs, rebuilding projections.

Also the helpers every command module shares: the pinned-key option, a progress bar and
the verification report. Exit codes: 0 when done, 1 when refused, 2 for bad usage.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ledger.core.errors import LedgerError
from ledger.verification.stream import Report

app = typer.Typer(no_args_is_help=True, add_completion=False)
console = Console(stderr=True)

DbOption = Annotated[
    str | None, typer.Option("--db", help="database URL, e.g. sqlite:///var/threeflow.db")
]
KeyOption = Annotated[
    str | None,
    typer.Option(
        "--key", help="pinned ledger key: 64 hex characters or a note verifier key name+hash+base64"
    ),
]


def parse_pinned_key(text: str | None) -> bytes | None:
    """Accept a raw hex Ed25519 key or a signed-note verifier key string."""
    if text is None:
        return None
    text = text.strip()
    if "+" in text:
        from ledger.core.checkpoint import NoteVerifier

        return NoteVerifier.parse(text).public_key
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise typer.BadParameter("not hex and not a verifier key", param_hint="--key") from None
    if len(key) != 32:
        raise typer.BadParameter("an Ed25519 key is 32 bytes", param_hint="--key")
    return key


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield update


def print_report(report: Report, source: str) -> None:
    console.print(
        f"[green]valid[/green] {source}: {report.tree_size} entries, "
        f"chain {report.chain_hash.hex()[:16]}…, "
        f"root {report.root_hash.hex()[:16]}…, {report.checkpoints} signed checkpoints, "
        f"{report.participants} participants, {report.keys} keys"
        + (f", {report.nodes_checked} stored subtree hashes" if report.nodes_checked else "")
    )
    for name, rows in report.projections.items():
        console.print(f"[green]projection[/green] {name}: {rows} rows equal a replay of the log")
    for note in report.notes:
        console.print(f"[yellow]note:[/yellow] {note}")


@app.command()
def checkpoint(
    db: Annotated[str, typer.Option("--db", help="database URL")],
    key_file: Annotated[Path, typer.Option("--key-file", help="the ledger's signing key")] = Path(
        "var/ledger.key"
    ),
) -> None:
    """Cut a signed checkpoint now and print its note."""
    from ledger.log import Ledger

    try:
        with Ledger.open(db, key_file=key_file) as ledger:
            signed = ledger.checkpoint()
    except LedgerError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    typer.echo(signed.note, nl=False)


@app.command()
def proof(
    db: Annotated[str, typer.Option("--db", help="database URL")],
    seq: Annotated[int, typer.Option("--seq", help="entry to prove")],
    tree_size: Annotated[int | None, typer.Option("--tree-size")] = None,
) -> None:
    """Print an RFC 9162 inclusion proof for one entry as JSON."""
    from ledger.log import Ledger

    try:
        with Ledger.open(db, read_only=True) as ledger:
            typer.echo(json.dumps(ledger.inclusion_proof(seq, tree_size).to_json(), indent=2))
    except LedgerError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None


@app.command()
def rebuild(
    projection: Annotated[
        str | None, typer.Argument(help="projection name; omit to list them")
    ] = None,
    db: Annotated[str, typer.Option("--db", help="database URL")] = "sqlite:///var/threeflow.db",
    key_file: Annotated[Path, typer.Option("--key-file", help="the ledger's signing key")] = Path(
        "var/ledger.key"
    ),
) -> None:
    """Recompute a projection (read model) from the log, in one transaction."""
    from ledger.log import Ledger
    from ledger.storage.projections import rebuild as run

    try:
        with Ledger.open(db, key_file=key_file) as ledger:
            if projection is None:
                for name in ledger.projectors.names():
                    typer.echo(name)
                return
            projector = ledger.projectors.get(projection)
            with ledger.unit_of_work() as uow:
                count = run(uow.connection, projector)
                uow.commit()
    except LedgerError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    console.print(f"rebuilt {projection} from {count} entries")
