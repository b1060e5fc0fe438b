"""Onboarding commands: register participants, issue, revoke and list API keys.

Each works on the database directly (``--db``, on the operator's host) or through a server's
admin API (``--server`` with an admin's ``--api-key``), so an operator need not log in to
the machine that runs the ledger. Exit codes: 0 done, 1 refused, 2 bad usage.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console

from ledger.core.errors import LedgerError

app = typer.Typer(no_args_is_help=True, add_completion=False)
console = Console(stderr=True)
Db = Annotated[str, typer.Option("--db")]
DEFAULT_DB = "sqlite:///var/threeflow.db"
Server = Annotated[
    str | None, typer.Option("--server", help="a server URL: use its admin API instead of --db")
]
AdminKey = Annotated[
    str | None, typer.Option("--api-key", envvar="THREEFLOW_API_KEY", help="an admin's key")
]


def _refused(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(1)


def _admin(server: str, api_key: str | None, method: str, path: str, **kwargs: Any) -> Any:
    """One admin API call; a refusal becomes a message and exit 1."""
    if not api_key:
        raise typer.BadParameter("--server needs an admin's --api-key", param_hint="--api-key")
    try:
        response = httpx.request(
            method, server.rstrip("/") + path, headers={"X-API-Key": api_key}, timeout=30,
            **kwargs,
        )  # fmt: skip
    except httpx.HTTPError as exc:
        raise _refused(f"cannot reach {server}: {exc}") from None
    body = (
        response.json()
        if response.headers.get("content-type", "").startswith("application/json")
        else {"detail": response.text}
    )
    if response.status_code >= 400:
        field = f" ({body.get('field')})" if body.get("field") else ""
        raise _refused(f"{response.status_code} {body.get('detail')}{field}")
    return body


def _failed(exc: LedgerError) -> typer.Exit:
    return _refused(f"{exc}" + (f" ({exc.field})" if exc.field else ""))


@app.command("participant-add")
def participant_add(
    participant_id: Annotated[str, typer.Argument()],
    legal_name: Annotated[str, typer.Option("--name")],
    roles: Annotated[list[str], typer.Option("--role")],
    public_key: Annotated[str, typer.Option("--public-key", help="Ed25519 public key, hex")],
    country: Annotated[str | None, typer.Option("--country")] = None,
    gs1_prefixes: Annotated[
        list[str] | None, typer.Option("--gs1-prefix", help="a GS1 company prefix it owns")
    ] = None,
    db: Db = DEFAULT_DB,
    key_file: Annotated[Path, typer.Option("--key-file")] = Path("var/ledger.key"),
    server: Server = None,
    api_key: AdminKey = None,
) -> None:
    """Register a participant and its first key (two operator-signed entries)."""
    if server is not None:
        body = {
            "participant_id": participant_id,
            "legal_name": legal_name,
            "roles": roles,
            "country": country,
            "gs1_prefixes": gs1_prefixes or [],
            "public_key": public_key,
        }
        entries = _admin(server, api_key, "POST", "/v1/admin/participants", json=body)["entries"]
        console.print(f"registered {participant_id} at entries {entries[0]['seq']}-"
                      f"{entries[-1]['seq']}")  # fmt: skip
        return
    from finance_api.onboarding import register
    from ledger.log import Ledger

    try:
        with Ledger.open(db, key_file=key_file) as ledger:
            done = register(ledger, participant_id, legal_name, roles, country, public_key,
                            None, gs1_prefixes or ())  # fmt: skip
    except LedgerError as exc:
        raise _failed(exc) from None
    console.print(f"registered {participant_id} at entries {done[0].seq}-{done[-1].seq}")


@app.command("apikey-create")
def apikey_create(
    participant_id: Annotated[str, typer.Argument()],
    label: Annotated[str, typer.Option("--label")] = "default",
    roles: Annotated[
        list[str] | None, typer.Option("--role", help="limit the key to this role (repeat)")
    ] = None,
    expires: Annotated[
        str | None, typer.Option("--expires", help="ISO 8601 time after which it opens nothing")
    ] = None,
    db: Db = DEFAULT_DB,
    server: Server = None,
    api_key: AdminKey = None,
) -> None:
    """Issue an API key; the secret is printed once (stdout), its id on stderr."""
    if server is not None:
        body = {"participant_id": participant_id, "label": label, "roles": roles,
                "expires_at": expires}  # fmt: skip
        issued = _admin(server, api_key, "POST", "/v1/admin/api-keys", json=body)
        console.print(f"key id {issued['key_id']} for {participant_id}")
        typer.echo(issued["secret"])
        return
    from finance_api.auth import issue_api_key
    from finance_api.params import instant
    from ledger.log import Ledger

    try:
        expires_at = instant(expires, "expires")
        with Ledger.open(db, read_only=True) as ledger:
            key = issue_api_key(ledger, participant_id, label, datetime.now(UTC), roles=roles,
                                expires_at=expires_at)  # fmt: skip
    except LedgerError as exc:
        raise _failed(exc) from None
    console.print(f"key id {key.key_id} for {participant_id}")
    typer.echo(key.secret)


@app.command("apikey-revoke")
def apikey_revoke(
    key_id: Annotated[str, typer.Argument(help="the key's id (16 hex), never its secret")],
    db: Db = DEFAULT_DB,
    server: Server = None,
    api_key: AdminKey = None,
) -> None:
    """Revoke an API key; it opens nothing from its next request on."""
    if server is not None:
        revoked = _admin(server, api_key, "DELETE", f"/v1/admin/api-keys/{key_id}")["revoked"]
    else:
        from finance_api.auth import revoke_api_key
        from ledger.log import Ledger

        try:
            with Ledger.open(db, read_only=True) as ledger:
                revoked = revoke_api_key(ledger, key_id, datetime.now(UTC))
        except LedgerError as exc:
            raise _failed(exc) from None
    console.print(f"revoked {key_id}" if revoked else f"{key_id} was revoked already")


@app.command("apikey-list")
def apikey_list(
    participant_id: Annotated[str | None, typer.Argument()] = None,
    db: Db = DEFAULT_DB,
    server: Server = None,
    api_key: AdminKey = None,
) -> None:
    """List API keys (ids, roles, expiry, revocation; never secrets) as JSON lines."""
    if server is not None:
        params = {"participant": participant_id} if participant_id else {}
        keys = _admin(server, api_key, "GET", "/v1/admin/api-keys", params=params)
    else:
        from finance_api.auth import list_api_keys
        from ledger.log import Ledger

        with Ledger.open(db, read_only=True) as ledger:
            keys = list_api_keys(ledger, participant_id)
    for key in keys:
        typer.echo(json.dumps(key))
