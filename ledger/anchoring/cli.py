"""``threeflow anchor``: anchor the latest checkpoint now, and settle earlier anchors.

Mounted by the main CLI as a group: ``threeflow anchor [OPTIONS]`` anchors, ``threeflow
anchor info`` prints the ledger id and its anchorer, ``threeflow anchor set-anchorer``
chooses the anchorer on an existing contract, ``threeflow anchor deploy`` puts a new
contract on any chain (:mod:`ledger.anchoring.admin_cli`). The
anchorer's key comes from ``--key-file`` or the anchoring settings
(``THREEFLOW_ANCHOR_PRIVATE_KEY`` / ``THREEFLOW_ANCHOR_KEY_FILE``) and is never printed.
``--deploy`` is for development nodes: it deploys a fresh ``LedgerAnchor`` owned by the
anchorer, funding the anchorer from the node's first unlocked account if needed.

``--wait`` waits ``--confirmations`` blocks deep for at most ``--timeout`` seconds; a node
that mines only on demand (anvil mines a block per transaction, none after) ends the wait
at the timeout with a message saying so, the anchor recorded as pending for a later run.

Exit codes: 0 when done (a JSON report on stdout), 1 when the chain or the database
failed (``{"error", "detail"}`` on stderr, never a traceback), 2 for bad usage or settings.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from ledger.anchoring.admin_cli import deploy, info, set_anchorer
from ledger.anchoring.chain import Chain
from ledger.anchoring.cli_support import (
    connect,
    deploy_for,
    existing_client,
    fail,
    fund_from_dev_account,
    guarded,
    load_settings,
)
from ledger.anchoring.errors import ConfirmationTimeout
from ledger.anchoring.service import AnchorService
from ledger.anchoring.settings import IN_PROCESS, AnchorSettings
from ledger.anchoring.store import AnchorStatus
from ledger.log import Ledger

__all__ = ["app", "connect", "deploy_for", "fund_from_dev_account"]

app = typer.Typer(add_completion=False)
app.command("info")(info)
app.command("set-anchorer")(set_anchorer)
app.command("deploy")(deploy)


@app.callback(invoke_without_command=True)
def anchor(
    ctx: typer.Context,
    db: Annotated[str, typer.Option("--db", help="database URL")] = "sqlite:///var/threeflow.db",
    rpc_url: Annotated[
        str | None, typer.Option("--rpc-url", help="JSON-RPC URL, or 'in-process'")
    ] = None,
    contract: Annotated[str | None, typer.Option("--contract", help="LedgerAnchor address")] = None,
    key_file: Annotated[
        Path | None, typer.Option("--key-file", help="file holding the anchorer's private key")
    ] = None,
    deploy: Annotated[
        bool, typer.Option("--deploy", help="deploy a fresh contract (development nodes)")
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="wait until the anchor is confirmed")
    ] = False,
    confirmations: Annotated[
        int | None,
        typer.Option("--confirmations", min=1, help="blocks deep to count as confirmed"),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", min=0.0, help="seconds --wait waits at most (default 60)"),
    ] = None,
) -> None:
    """Anchors the latest checkpoint on chain and settles earlier anchors.

    Prints ``sent`` (the largest tree size sent in this run, or null), ``reanchored`` (the
    sizes a reorganisation dropped and this run sent again) and every anchor row. Options
    of a subcommand (``info``, ``set-anchorer``) go after its name.
    """
    if ctx.invoked_subcommand is not None:
        return
    settings = load_settings(
        rpc_url=rpc_url,
        contract=contract,
        key_file=key_file,
        confirmations=confirmations,
        wait_timeout=timeout,
    )
    with guarded():
        account = settings.account()
        chain = connect(settings)
        with Ledger.open(db, read_only=True) as ledger:
            if deploy:
                client = deploy_for(chain, ledger, account)
            elif settings.contract is None:
                raise typer.BadParameter("give --contract, or --deploy on a development node")
            else:
                client = existing_client(chain, settings.contract)
            service = AnchorService(ledger, chain, client, account, settings)
            settled = service.poll()  # re-anchors what a reorganisation dropped
            row = service.anchor_latest()
            sent = sorted({*settled.reanchored, *([row.tree_size] if row else [])})
            report: dict[str, Any] = {"contract": client.address}
            report["sent"] = sent[-1] if sent else None
            report["reanchored"] = list(settled.reanchored)
            if sent and wait:
                waited = _wait(chain, service, sent, settings)
                if waited is not None:
                    report["anchors"] = [a.to_json() for a in service.anchors()]
                    typer.echo(json.dumps(report))
                    fail("confirmation_timeout", waited)
            report["anchors"] = [a.to_json() for a in service.anchors()]
    typer.echo(json.dumps(report))


def _wait(
    chain: Chain,
    service: AnchorService,
    sent: list[int],
    settings: AnchorSettings,
) -> str | None:
    """Waits for the anchors sent; None when confirmed, else why the wait ended."""
    depth = settings.confirmations
    if settings.rpc_url == IN_PROCESS:
        chain.mine(depth)
    deadline = time.monotonic() + settings.wait_timeout
    head = chain.head()
    try:
        for pending in service.anchors():
            if pending.status is AnchorStatus.PENDING and pending.tree_size in sent:
                left = max(0.0, deadline - time.monotonic())
                chain.wait(pending.tx_hash, confirmations=depth, timeout=left)
    except ConfirmationTimeout as exc:
        service.poll()
        stalled = (
            " The node mined no block meanwhile: a node that mines only on demand needs blocks"
            " mined (anvil_mine) before an anchor is confirmed."
            if chain.head() == head
            else ""
        )
        return (
            f"{exc}.{stalled} The anchor is recorded as pending: `threeflow anchor` settles "
            f"it later (--timeout to wait longer, --confirmations for another depth)."
        )
    service.poll()
    return None
