"""The auditor's commands: ``verify`` a database or a bundle (and its anchors), ``export``.

They compose the log with the anchoring feature, which is why they live in the composition
layer rather than in ``ledger``. ``verify FILE`` without ``--rpc-url`` imports only the
offline verifier: no database layer, no web3. Exit codes: 0 when valid, 1 when
verification fails (the message names the first bad entry and what is wrong), 2 for bad
usage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ledger.cli import KeyOption, console, parse_pinned_key, print_report, progress_bar
from ledger.core.errors import LedgerError

app = typer.Typer(no_args_is_help=True, add_completion=False)
DbOption = Annotated[
    str | None, typer.Option("--db", help="database URL, e.g. sqlite:///var/threeflow.db")
]


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
        list[str] | None,
        typer.Option(
            "--contract",
            help="trusted LedgerAnchor address: check every anchor it holds (repeat it for a "
            "ledger that moved contracts); default THREEFLOW_ANCHOR_CONTRACT",
        ),
    ] = None,
    confirmations: Annotated[int, typer.Option("--confirmations", min=0)] = 3,
) -> None:
    """Recompute and check everything: leaves, chain, signatures, keys, checkpoints, roots.

    For a database, also every stored subtree hash, index row, registry row and projection
    (each compared with a replay of the log). With ``--rpc-url``, also the anchors: the
    contract holds each anchored root at its size in a block deep enough, and this ledger
    extends every anchored tree. Exit 1 when something is invalid; exit 2 when the chain
    could not be checked (node unreachable, or nothing on chain to check the ledger with).
    """
    if (bundle is None) == (db is None):
        console.print("[red]error:[/red] give either a bundle FILE or --db URL")
        raise typer.Exit(2)
    pinned = parse_pinned_key(key)
    audit: Any = None
    try:
        chain = None
        if rpc_url is not None:
            from ledger.anchoring import audit as anchor_audit

            chain = anchor_audit.connect(rpc_url)
        with progress_bar("verifying") as update:
            if db is not None:
                from ledger.audit.database import verify_database

                report = verify_database(db, pinned_key=pinned, progress=update)
                if chain is not None:
                    audit = anchor_audit.check_database(db, chain, contract or [], confirmations)
            else:
                from ledger.verification.bundle import read_header, verify_bundle

                assert bundle is not None
                plan = None
                if chain is not None:
                    origin = read_header(bundle)["origin"]
                    plan = anchor_audit.plan_bundle(bundle, origin, chain, contract or [])
                report = verify_bundle(
                    bundle,
                    pinned_key=pinned,
                    progress=update,
                    watch_sizes=plan.watch if plan else (),
                )
                if chain is not None and plan is not None:
                    audit = anchor_audit.check_bundle(report, origin, chain, plan, confirmations)
    except LedgerError as exc:
        from ledger.anchoring.errors import ChainError

        if isinstance(exc, ChainError):  # the node down, nothing to check with: undecided
            console.print(f"[yellow]NOT CHECKED[/yellow] on chain: {exc}")
            raise typer.Exit(2) from None
        console.print(f"[red]INVALID[/red] {exc}")
        raise typer.Exit(1) from None
    print_report(report, str(bundle or db))
    if audit is not None:
        last = audit.verified[-1].tree_size
        console.print(
            f"[green]anchored[/green]: {len(audit.verified)} anchors verified on chain "
            f"{audit.chain_id}, the last at size {last}, contract {', '.join(audit.contracts)}"
        )
        if not audit.trusted:
            console.print(
                "[yellow]note:[/yellow] the contract is the one the ledger's own anchor rows "
                "name; give --contract to check against an address you trust"
            )


@app.command()
def export(
    db: Annotated[str, typer.Option("--db", help="database URL")],
    out: Annotated[Path, typer.Option("--out", help="bundle file to write (JSON Lines)")],
) -> None:
    """Write the ledger as a self-contained bundle for offline verification."""
    from ledger.audit.export import export_bundle

    try:
        with progress_bar("exporting") as update:
            count = export_bundle(db, out, progress=update)
    except LedgerError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    console.print(f"wrote {count} entries to {out}")
