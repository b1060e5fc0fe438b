"""``threeflow anchor``: anchor the latest checkpoint now, and settle earlier anchors.

Mounted by the main CLI. The anchorer's key comes from ``--key-file`` or the anchoring
settings (``THREEFLOW_ANCHOR_PRIVATE_KEY`` / ``THREEFLOW_ANCHOR_KEY_FILE``) and is never
printed. ``--deploy`` is for development nodes: it deploys a fresh ``LedgerAnchor`` owned
by the anchorer, funding the anchorer from the node's first unlocked account if needed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from eth_account.signers.local import LocalAccount

from ledger.anchoring.chain import Chain
from ledger.anchoring.contract import LedgerAnchorClient
from ledger.anchoring.errors import ChainError
from ledger.anchoring.service import AnchorService
from ledger.anchoring.settings import IN_PROCESS, AnchorSettings
from ledger.anchoring.store import ledger_id_for
from ledger.core.errors import LedgerError
from ledger.log import Ledger

app = typer.Typer(no_args_is_help=True, add_completion=False)


def connect(settings: AnchorSettings) -> Chain:
    """The chain the settings name: an RPC URL, or the in-process EVM."""
    if settings.rpc_url == IN_PROCESS:
        return Chain.in_process()
    return Chain.connect(settings.rpc_url, timeout=settings.rpc_timeout)


def fund_from_dev_account(chain: Chain, account: str, wei: int = 10**19) -> None:
    """Gives ``account`` gas money from a development node's first unlocked account."""
    with chain.translating():
        if chain.w3.eth.get_balance(account) >= wei // 10:  # type: ignore[arg-type]
            return
        source = chain.dev_accounts()[0]
        tx = chain.w3.eth.send_transaction({"from": source, "to": account, "value": wei})  # type: ignore[typeddict-item]
    chain.wait(bytes(tx))


def deploy_for(chain: Chain, ledger: Ledger, account: LocalAccount) -> LedgerAnchorClient:
    """Deploys a LedgerAnchor owned by ``account`` and makes it the ledger's anchorer."""
    fund_from_dev_account(chain, account.address)
    client = LedgerAnchorClient.deploy(chain, sender=account)
    chain.wait(client.set_anchorer(ledger_id_for(ledger.origin), account.address, sender=account))
    return client


@app.command("anchor")
def anchor(
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
) -> None:
    """Anchors the latest checkpoint on chain and settles earlier anchors."""
    overrides: dict[str, object] = {}
    if rpc_url is not None:
        overrides["rpc_url"] = rpc_url
    if contract is not None:
        overrides["contract"] = contract
    if key_file is not None:
        overrides["key_file"] = key_file
    settings = AnchorSettings(**overrides)  # type: ignore[arg-type]
    try:
        account = settings.account()
        chain = connect(settings)
        with Ledger.open(db, read_only=True) as ledger:
            if deploy:
                client = deploy_for(chain, ledger, account)
            elif settings.contract is None:
                raise typer.BadParameter("give --contract, or --deploy on a development node")
            else:
                client = LedgerAnchorClient(chain, settings.contract)
            service = AnchorService(ledger, chain, client, account, settings)
            service.poll()
            row = service.anchor_latest()
            if row is not None and wait:
                if settings.rpc_url == IN_PROCESS:
                    chain.mine(settings.confirmations)
                chain.wait(row.tx_hash, confirmations=settings.confirmations, timeout=120.0)
                service.poll()
            anchors = service.anchors()
    except LedgerError as exc:
        code = exc.code if isinstance(exc, ChainError) else "ledger_error"
        typer.echo(json.dumps({"error": code, "detail": str(exc)}), err=True)
        raise typer.Exit(1) from None
    typer.echo(
        json.dumps(
            {
                "contract": client.address,
                "sent": None if row is None else row.tree_size,
                "anchors": [a.to_json() for a in anchors],
            }
        )
    )
