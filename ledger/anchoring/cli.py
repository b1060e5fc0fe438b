"""``threeflow anchor``: anchor the latest checkpoint now, and settle earlier anchors.

Mounted by the main CLI. The anchorer's key comes from ``--key-file`` or the anchoring
settings (``THREEFLOW_ANCHOR_PRIVATE_KEY`` / ``THREEFLOW_ANCHOR_KEY_FILE``) and is never
printed. ``--deploy`` is for development nodes: it deploys a fresh ``LedgerAnchor`` owned
by the anchorer, funding the anchorer from the node's first unlocked account if needed.

Exit codes: 0 when done (a JSON report on stdout), 1 when the chain or the database
failed (``{"error", "detail"}`` on stderr, never a traceback), 2 for bad usage or settings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from eth_account.signers.local import LocalAccount
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from ledger.anchoring.anchor_client import LedgerAnchorClient
from ledger.anchoring.chain import Chain
from ledger.anchoring.errors import ChainError
from ledger.anchoring.service import AnchorService
from ledger.anchoring.settings import IN_PROCESS, AnchorSettings
from ledger.anchoring.store import AnchorStatus, ledger_id_for
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
    sources = chain.dev_accounts()
    if not sources:
        raise ChainError(
            "the node unlocks no account to fund the anchorer from: --deploy is for "
            "development nodes (fund the anchorer and deploy the contract yourself)"
        )
    with chain.translating():
        tx = chain.w3.eth.send_transaction({"from": sources[0], "to": account, "value": wei})  # type: ignore[typeddict-item]
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
    """Anchors the latest checkpoint on chain and settles earlier anchors.

    Prints ``sent`` (the largest tree size sent in this run, or null), ``reanchored`` (the
    sizes a reorganisation dropped and this run sent again) and every anchor row.
    """
    overrides: dict[str, object] = {}
    if rpc_url is not None:
        overrides["rpc_url"] = rpc_url
    if contract is not None:
        overrides["contract"] = contract
    if key_file is not None:
        overrides["key_file"] = key_file
    try:
        settings = AnchorSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        _fail("invalid_settings", _settings_problems(exc), exit_code=2)
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
            settled = service.poll()  # re-anchors what a reorganisation dropped
            row = service.anchor_latest()
            sent = sorted({*settled.reanchored, *([row.tree_size] if row else [])})
            if sent and wait:
                if settings.rpc_url == IN_PROCESS:
                    chain.mine(settings.confirmations)
                for pending in service.anchors():
                    if pending.status is AnchorStatus.PENDING and pending.tree_size in sent:
                        chain.wait(
                            pending.tx_hash, confirmations=settings.confirmations, timeout=120.0
                        )
                service.poll()
            anchors = service.anchors()
    except LedgerError as exc:  # ChainError among them: the node, the contract, the key
        _fail(exc.code, str(exc))
    except SQLAlchemyError as exc:
        _fail("database_error", str(exc).splitlines()[0])
    typer.echo(
        json.dumps(
            {
                "contract": client.address,
                "sent": sent[-1] if sent else None,
                "reanchored": list(settled.reanchored),
                "anchors": [a.to_json() for a in anchors],
            }
        )
    )


def _fail(code: str, detail: str, *, exit_code: int = 1) -> NoReturn:
    typer.echo(json.dumps({"error": code, "detail": detail}), err=True)
    raise typer.Exit(exit_code)


def _settings_problems(exc: ValidationError) -> str:
    """What is wrong with the settings, by field, without the values (a key may be one)."""
    return "; ".join(
        f"{'.'.join(str(p) for p in error['loc']) or 'settings'}: {error['msg']}"
        for error in exc.errors(include_input=False)
    )
