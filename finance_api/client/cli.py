"""The participant's commands: ``keygen``, ``ledger-key``, ``submit`` and ``prove``.

They talk to a server over HTTP through :class:`ThreeflowClient`, never to its database.
Exit codes: 0 done (or proven), 1 refused or not verified, 2 bad usage.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console

from finance_api.client.client import ThreeflowClient
from finance_api.client.errors import ClientError, NotYetCovered
from ledger.core.append_receipt import AppendReceipt
from ledger.core.checkpoint import NoteVerifier
from ledger.core.errors import LedgerError
from ledger.core.events import parse_timestamp
from ledger.core.keys import SigningKey, key_id_for

app = typer.Typer(no_args_is_help=True, add_completion=False)
console = Console(stderr=True)
Server = Annotated[str, typer.Option("--server", envvar="THREEFLOW_SERVER", help="base URL")]
LedgerKey = Annotated[
    str, typer.Option("--ledger-key", envvar="THREEFLOW_LEDGER_KEY", help="pinned key, hex")
]


def _fail(message: str, code: int = 1) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def _pinned(text: str) -> bytes:
    """A pinned ledger key: 64 hex characters, or a signed-note verifier key."""
    text = text.strip()
    try:
        key = NoteVerifier.parse(text).public_key if "+" in text else bytes.fromhex(text)
    except (ValueError, LedgerError):
        raise _fail("--ledger-key is neither hex nor a verifier key", 2) from None
    if len(key) != 32:
        raise _fail("--ledger-key: an Ed25519 key is 32 bytes", 2)
    return key


@app.command()
def keygen(
    out: Annotated[Path, typer.Option("--out", help="file for the private key (mode 0600)")],
) -> None:
    """Create a signing key; prints its public key and key id as JSON (the secret stays in
    the file)."""
    if out.exists():
        raise _fail(f"{out} exists: refusing to overwrite a key", 2)
    key = SigningKey.generate()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.seed.hex() + "\n")
    typer.echo(json.dumps({"public_key": key.public_key.hex(), "key_id": key.key_id}))


@app.command("ledger-key")
def ledger_key(server: Server) -> None:
    """Print the ledger's public key (hex) as the server states it: check it out of band
    (the operator publishes it) before pinning it."""
    try:
        answer = httpx.get(server.rstrip("/") + "/v1/ledger/key", timeout=30).json()
    except (httpx.HTTPError, ValueError) as exc:
        raise _fail(f"cannot read the ledger key from {server}: {exc}") from None
    console.print(f"verifier key: {answer['verifier_key']}")
    typer.echo(answer["public_key"])


def _load_key(path: Path) -> SigningKey:
    try:
        return SigningKey.from_hex(path.read_text())
    except (OSError, LedgerError, ValueError) as exc:
        raise _fail(f"cannot read the key file {path}: {exc}", 2) from None


def _drafts(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise _fail(f"{path} is not a JSON file: {exc}", 2) from None
    drafts = data if isinstance(data, list) else [data]
    for i, draft in enumerate(drafts):
        if not isinstance(draft, dict) or not {"flow", "type", "payload"} <= set(draft):
            raise _fail(f"draft {i} needs flow, type and payload", 2)
    return drafts


@app.command()
def submit(
    file: Annotated[
        Path,
        typer.Argument(
            help="a draft {flow, type, payload[, subjects, occurred_at, id]} or a list of them"
        ),
    ],
    participant: Annotated[str, typer.Option("--as", help="your participant id")],
    key_file: Annotated[Path, typer.Option("--key-file", help="your signing key")],
    api_key: Annotated[str, typer.Option("--api-key", envvar="THREEFLOW_API_KEY")],
    server: Server,
    pinned: LedgerKey,
) -> None:
    """Sign the drafts and append them as one atomic batch; prints each verified receipt."""
    key = _load_key(key_file)
    drafts = _drafts(file)
    try:
        with ThreeflowClient(
            server, participant_id=participant, signing_key=key, api_key=api_key,
            ledger_key=_pinned(pinned),
        ) as client:  # fmt: skip
            events = [
                client.event(
                    d["flow"],
                    d["type"],
                    d["payload"],
                    subjects=d.get("subjects", ()),
                    occurred_at=parse_timestamp(d["occurred_at"]) if "occurred_at" in d else None,
                    event_id=d.get("id"),
                )
                for d in drafts
            ]
            submitted = client.submit(events)
    except (ClientError, LedgerError) as exc:
        raise _fail(str(exc)) from None
    for done in submitted:
        typer.echo(json.dumps({"replayed": done.replayed, **done.receipt.to_json()}))


@app.command()
def prove(
    server: Server,
    pinned: LedgerKey,
    receipts: Annotated[
        Path, typer.Option("--receipts", help="receipts printed by `threeflow submit`")
    ],
    wait: Annotated[float, typer.Option("--wait", help="seconds to wait for a checkpoint")] = 0,
) -> None:
    """Prove every receipted entry is in the ledger, against a checkpoint you verify."""
    try:
        lines = [json.loads(line) for line in receipts.read_text().splitlines() if line.strip()]
    except (OSError, json.JSONDecodeError) as exc:
        raise _fail(f"cannot read {receipts}: {exc}", 2) from None
    deadline = time.monotonic() + wait
    key = _pinned(pinned)
    with ThreeflowClient(server, participant_id="-", signing_key=SigningKey.generate(),
                         api_key=None, ledger_key=key) as client:  # fmt: skip
        for line in lines:
            try:
                receipt = AppendReceipt.from_json(line).verify(key)
                while True:
                    try:
                        head = client.prove(receipt.seq, bytes.fromhex(receipt.leaf_hash))
                        break
                    except NotYetCovered:
                        if time.monotonic() >= deadline:
                            raise
                        time.sleep(0.5)
            except (ClientError, LedgerError) as exc:
                raise _fail(f"entry {line.get('seq')}: {exc}") from None
            typer.echo(json.dumps({"seq": receipt.seq, "proven_in_tree_size": head.tree_size,
                                   "root_hash": head.root_hash.hex()}))  # fmt: skip
    console.print(f"[green]proven[/green]: {len(lines)} entries, key {key_id_for(key)}")
