"""EPCIS and traceability commands of the ``threeflow`` CLI.

``app`` is the ``threeflow epcis`` group (ingest, export); ``trace_app`` holds the
top-level ``trace``, ``verify-trace``, ``recall`` and ``authenticity`` commands. Exit codes:
0 when done or valid, 1 when a document is refused or a trace fails to verify, 2 for bad
usage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ledger.core.errors import LedgerError

app = typer.Typer(no_args_is_help=True, add_completion=False, help="EPCIS 2.0 capture and export.")
trace_app = typer.Typer(no_args_is_help=True, add_completion=False)
console = Console(stderr=True)

DbOption = Annotated[str, typer.Option("--db", help="database URL")]
KeyFileOption = Annotated[Path, typer.Option("--key-file")]
DEFAULT_DB = "sqlite:///var/threeflow.db"
DEFAULT_KEY = Path("var/ledger.key")


def _emit(value: Any, out: Path | None) -> None:
    text = json.dumps(value, indent=2, sort_keys=False)
    if out is None:
        sys.stdout.write(text + "\n")
    else:
        out.write_text(text + "\n", encoding="utf-8")


def _fail(exc: LedgerError) -> typer.Exit:
    console.print(f"[red]refused[/red]: {exc}")
    return typer.Exit(1)


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    participant: Annotated[
        str, typer.Option("--as", help="capturing participant (recorded as captured_by)")
    ] = "operator",
    content_type: Annotated[str | None, typer.Option("--content-type")] = None,
    db: DbOption = DEFAULT_DB,
    key_file: KeyFileOption = DEFAULT_KEY,
) -> None:
    """Capture an EPCIS 2.0 document (JSON, JSON-LD or XML): all events or none."""
    from ledger.log import Ledger
    from ledger.traceability.capture import capture

    kind = content_type or ("application/xml" if file.suffix == ".xml" else "application/json")
    try:
        with Ledger.open(db, key_file=key_file) as ledger:
            captured = capture(ledger, file.read_bytes(), kind, participant)
    except LedgerError as exc:
        raise _fail(exc) from None
    _emit({"events": [c.to_json() for c in captured]}, None)


@app.command()
def sign(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    participant: Annotated[str, typer.Option("--as", help="the capturing participant")],
    key_file: Annotated[Path, typer.Option("--key-file", help="that participant's key")],
    out: Annotated[Path | None, typer.Option("--out", "-o")] = None,
    content_type: Annotated[str | None, typer.Option("--content-type")] = None,
) -> None:
    """Sign a document's captures with the participant's own key, for POST /v1/events.

    Runs where the key is; no ledger needed. The entries are then the participant's, not
    the notary's, and GS1 company prefix authority is checked against its registration.
    """
    from ledger.keyfile import load
    from ledger.traceability.capture import sender_events

    kind = content_type or ("application/xml" if file.suffix == ".xml" else "application/json")
    try:
        events = sender_events(load(key_file), file.read_bytes(), kind, participant)
    except LedgerError as exc:
        raise _fail(exc) from None
    _emit({"events": [e.to_json() for e in events]}, out)


@app.command()
def export(
    out: Annotated[Path | None, typer.Option("--out", "-o")] = None,
    item: Annotated[list[str] | None, typer.Option("--item", help="MATCH_anyEPC")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 1000,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Export captured events as an EPCIS 2.0 JSON-LD document."""
    from ledger.log import Ledger
    from ledger.traceability.epcis import export_document
    from ledger.traceability.query import EpcisQuery, find

    params = {"limit": [str(limit)], **({"MATCH_anyEPC": item} if item else {})}
    try:
        with Ledger.open(db, read_only=True) as ledger:
            found, _ = find(ledger, EpcisQuery.parse(params))
    except LedgerError as exc:
        raise _fail(exc) from None
    _emit(export_document([f.event for f in found]), out)


@trace_app.command("trace")
def trace_command(
    item_id: Annotated[str, typer.Argument(help="EPC, LGTIN or SSCC (URN or Digital Link)")],
    direction: Annotated[str, typer.Option("--direction")] = "backward",
    since: Annotated[str | None, typer.Option("--since")] = None,
    until: Annotated[str | None, typer.Option("--until")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o")] = None,
    db: DbOption = DEFAULT_DB,
    key_file: KeyFileOption = DEFAULT_KEY,
) -> None:
    """Trace an item with an inclusion proof of every event against one checkpoint."""
    from ledger.log import Ledger
    from ledger.traceability.epcis.timestamps import to_utc_datetime
    from ledger.traceability.trace import Window, trace

    try:
        window = Window(
            to_utc_datetime(since) if since else None, to_utc_datetime(until) if until else None
        )
        with Ledger.open(db, key_file=key_file) as ledger:
            result = trace(ledger, item_id, direction, window)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    except LedgerError as exc:
        raise _fail(exc) from None
    _emit(result, out)


@trace_app.command("verify-trace")
def verify_trace_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    key: Annotated[str, typer.Option("--key", help="pinned ledger key (hex or verifier key)")],
    db: Annotated[
        str | None,
        typer.Option("--db", help="a copy of the ledger: also check that nothing was left out"),
    ] = None,
) -> None:
    """Verify a trace, recall or authenticity file offline against the pinned ledger key."""
    from ledger.cli import parse_pinned_key
    from ledger.verification.trace_answers import verify_answer

    pinned = parse_pinned_key(key)
    assert pinned is not None
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
        summary = verify_answer(document, pinned)
    except json.JSONDecodeError as exc:
        console.print(f"[red]not JSON[/red]: {exc}")
        raise typer.Exit(1) from None
    except LedgerError as exc:
        console.print(f"[red]INVALID[/red]: {exc}")
        raise typer.Exit(1) from None
    console.print(f"[green]valid[/green]: {summary}")
    if db is None:
        console.print("completeness not checked (give --db with a copy of the ledger)")
        return
    from ledger.log import Ledger
    from ledger.traceability.completeness import incomplete

    try:
        with Ledger.open(db, read_only=True) as ledger:
            differ = incomplete(ledger, document)
    except LedgerError as exc:
        console.print(f"[red]could not check completeness[/red]: {exc}")
        raise typer.Exit(2) from None
    if differ:
        console.print(f"[red]INCOMPLETE[/red]: the copy answers otherwise: {', '.join(differ)}")
        raise typer.Exit(1)
    console.print(f"[green]complete[/green] as of tree size {document['as_of']}")


@trace_app.command("recall")
def recall_command(
    lot: str,
    out: Annotated[Path | None, typer.Option("--out", "-o")] = None,
    db: DbOption = DEFAULT_DB,
    key_file: KeyFileOption = DEFAULT_KEY,
) -> None:
    """End items that contain a lot and where each is now, proven (check with verify-trace)."""
    from ledger.log import Ledger
    from ledger.traceability.recall import recall_scope

    try:
        with Ledger.open(db, key_file=key_file) as ledger:
            _emit(recall_scope(ledger, lot), out)
    except LedgerError as exc:
        raise _fail(exc) from None


@trace_app.command("authenticity")
def authenticity_command(
    item_id: str,
    out: Annotated[Path | None, typer.Option("--out", "-o")] = None,
    db: DbOption = DEFAULT_DB,
    key_file: KeyFileOption = DEFAULT_KEY,
) -> None:
    """Origin, brand, certifications and a verdict for one item, proven (see verify-trace)."""
    from ledger.log import Ledger
    from ledger.traceability.authenticity import authenticity

    try:
        with Ledger.open(db, key_file=key_file) as ledger:
            _emit(authenticity(ledger, item_id), out)
    except LedgerError as exc:
        raise _fail(exc) from None
