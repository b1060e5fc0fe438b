"""Ledger commands of the ``threeflow`` CLI: verify, export, checkpoint, proofs.

Exit codes: 0 when valid, 1 when verification fails (the message names the first bad
entry and what is wrong), 2 for bad usage.
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


def _print_report(report: Report, source: str) -> None:
    console.print(
        f"[green]valid[/green] {source}: {report.tree_size} entries, "
        f"chain {report.chain_hash.hex()[:16]}…, "
        f"root {report.root_hash.hex()[:16]}…, {report.checkpoints} signed checkpoints, "
        f"{report.participants} participants, {report.keys} keys"
        + (f", {report.nodes_checked} stored subtree hashes" if report.nodes_checked else "")
    )
    for note in report.notes:
        console.print(f"[yellow]note:[/yellow] {note}")


@app.command()
def verify(
    bundle: Annotated[
        Path | None, typer.Argument(help="a bundle written by `threeflow export`")
    ] = None,
    db: DbOption = None,
    key: KeyOption = None,
    rpc_url: Annotated[
        str | None,
        typer.Option("--rpc-url", help="Ethereum JSON-RPC URL (or 'in-process'): check anchors"),
    ] = None,
    contract: Annotated[
        str | None,
        typer.Option(
            "--contract", help="trusted LedgerAnchor address: check every anchor it holds"
        ),
    ] = None,
    confirmations: Annotated[int, typer.Option("--confirmations", min=0)] = 3,
) -> None:
    """Recompute and check everything: leaves, chain, signatures, keys, checkpoints, roots.

    With ``--rpc-url``, also check the anchors: the contract holds each anchored root at its
    size in a block deep enough, and this ledger extends every anchored tree.
    """
    if (bundle is None) == (db is None):
        console.print("[red]error:[/red] give either a bundle FILE or --db URL")
        raise typer.Exit(2)
    pinned = parse_pinned_key(key)
    try:
        chain = None
        if rpc_url is not None:
            from ledger.anchoring import audit as anchor_audit

            chain = anchor_audit.connect(rpc_url)
        with progress_bar("verifying") as update:
            if db is not None:
                from ledger.audit import verify_database

                report = verify_database(db, pinned_key=pinned, progress=update)
                if chain is not None:
                    anchors = anchor_audit.check_database(db, chain, contract, confirmations)
            else:
                from ledger.bundle import read_header, verify_bundle

                assert bundle is not None
                watch: list[int] = []
                if chain is not None and contract is not None:
                    origin = read_header(bundle)["origin"]
                    watch = anchor_audit.chain_anchor_sizes(chain, contract, origin)
                report = verify_bundle(
                    bundle, pinned_key=pinned, progress=update, watch_sizes=watch
                )
                if chain is not None:
                    origin = read_header(bundle)["origin"]
                    anchors = anchor_audit.check_bundle(
                        report, origin, chain, contract, confirmations
                    )
    except LedgerError as exc:
        console.print(f"[red]INVALID[/red] {exc}")
        raise typer.Exit(1) from None
    _print_report(report, str(bundle or db))
    if chain is not None:
        console.print(
            f"[green]anchored[/green]: {len(anchors)} anchors verified on chain {chain.chain_id}"
            + (f", the last at size {anchors[-1].tree_size}" if anchors else "")
        )


@app.command()
def export(
    db: Annotated[str, typer.Option("--db", help="database URL")],
    out: Annotated[Path, typer.Option("--out", help="bundle file to write (JSON Lines)")],
) -> None:
    """Write the ledger as a self-contained bundle for offline verification."""
    from ledger.bundle import export_bundle

    try:
        with progress_bar("exporting") as update:
            count = export_bundle(db, out, progress=update)
    except LedgerError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    console.print(f"wrote {count} entries to {out}")


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
