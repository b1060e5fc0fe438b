"""``threeflow anchor info``, ``set-anchorer`` and ``deploy``: who anchors this ledger, where.

``info`` answers what an operator setting up anchoring must know: the ledger's id on chain
(SHA-256 of its origin line, what ``setAnchorer`` takes), the address of the configured
anchorer key, and on the contract its owner, the anchorer it holds for this ledger and its
latest anchor. ``set-anchorer`` has the contract's owner choose the anchorer on an
existing contract (``--deploy`` does it only for a contract it deploys itself). ``deploy``
puts a new anchor contract (v2 unless ``--contract-version 1``) on any chain, owned by the
key given and paid by it: the first step of moving a ledger from v1 to v2. Keys are
read from files and never printed. Both print one JSON object; failures are those of
:mod:`ledger.anchoring.cli_support`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ledger.anchoring.anchor_versions import LATEST, VERSIONS
from ledger.anchoring.cli_support import (
    connect,
    existing_client,
    fail,
    guarded,
    key_from_file,
    load_settings,
)
from ledger.anchoring.contract import address
from ledger.anchoring.errors import NoAnchor
from ledger.anchoring.settings import IN_PROCESS, AnchorKeyMissing, AnchorSettings
from ledger.anchoring.store import all_anchors, ledger_id_for
from ledger.log import Ledger

DbOption = Annotated[str, typer.Option("--db", help="database URL")]
RpcOption = Annotated[str | None, typer.Option("--rpc-url", help="JSON-RPC URL")]
ContractOption = Annotated[
    str | None, typer.Option("--contract", help="LedgerAnchor address (default: settings)")
]
KeyOption = Annotated[
    Path | None, typer.Option("--key-file", help="file holding the anchorer's private key")
]


def _key_address(settings: AnchorSettings) -> str | None:
    """The configured anchorer key's address, or None when no key is configured."""
    try:
        return settings.account().address
    except AnchorKeyMissing:
        return None


def info(
    db: DbOption = "sqlite:///var/threeflow.db",
    rpc_url: RpcOption = None,
    contract: ContractOption = None,
    key_file: KeyOption = None,
) -> None:
    """Print the ledger id and, on the contract, its owner, anchorer and latest anchor.

    The contract is ``--contract``, else ``THREEFLOW_ANCHOR_CONTRACT``, else the one the
    ledger's latest anchor row names; without one (or a node) only the ledger is shown.
    """
    settings = load_settings(rpc_url=rpc_url, contract=contract, key_file=key_file)
    with guarded():
        with Ledger.open(db, read_only=True) as ledger:
            with ledger.reading() as connection:
                rows = all_anchors(connection)
            origin = ledger.origin
        ledger_id = ledger_id_for(origin)
        report: dict[str, Any] = {
            "origin": origin,
            "ledger_id": "0x" + ledger_id.hex(),
            "anchorer_key": _key_address(settings),
            "anchors_recorded": len(rows),
        }
        where = settings.contract or (rows[-1].contract if rows else None)
        if where is not None and settings.rpc_url != IN_PROCESS:
            chain = connect(settings)
            client = existing_client(chain, where)
            anchorer = client.anchorer_of(ledger_id)
            report.update(
                chain_id=chain.chain_id,
                contract=client.address,
                owner=client.owner(),
                anchorer=anchorer,
                anchorer_is_key=anchorer is not None and anchorer == report["anchorer_key"],
                anchors_on_chain=client.count(ledger_id),
            )
            try:
                latest = client.latest(ledger_id)
                report["latest_on_chain"] = {
                    "tree_size": latest.tree_size,
                    "root_hash": latest.root.hex(),
                    "block_number": latest.block_number,
                }
            except NoAnchor:
                report["latest_on_chain"] = None
    typer.echo(json.dumps(report))


def set_anchorer(
    owner_key_file: Annotated[
        Path, typer.Option("--owner-key-file", help="file holding the contract owner's key")
    ],
    db: DbOption = "sqlite:///var/threeflow.db",
    rpc_url: RpcOption = None,
    contract: ContractOption = None,
    anchorer: Annotated[
        str | None,
        typer.Option("--anchorer", help="address to anchor this ledger (default: --key-file's)"),
    ] = None,
    key_file: KeyOption = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", min=0.0, help="seconds to wait for the block")
    ] = None,
) -> None:
    """Make an address the one anchorer of this ledger on an existing contract (owner only)."""
    settings = load_settings(
        rpc_url=rpc_url, contract=contract, key_file=key_file, wait_timeout=timeout
    )
    if settings.contract is None:
        fail("missing_contract", "give --contract (or set THREEFLOW_ANCHOR_CONTRACT)", exit_code=2)
    with guarded():
        chosen = anchorer if anchorer is not None else _key_address(settings)
        if chosen is None:
            fail("missing_anchorer", "give --anchorer, or --key-file of the anchorer", exit_code=2)
        chosen = address(chosen, "anchorer")
        owner = key_from_file(owner_key_file, "owner")
        with Ledger.open(db, read_only=True) as ledger:
            ledger_id = ledger_id_for(ledger.origin)
        chain = connect(settings)
        client = existing_client(chain, settings.contract)
        previous = client.anchorer_of(ledger_id)
        tx_hash = client.set_anchorer(ledger_id, chosen, sender=owner)
        outcome = chain.wait(tx_hash, confirmations=1, timeout=settings.wait_timeout)
    typer.echo(
        json.dumps(
            {
                "ledger_id": "0x" + ledger_id.hex(),
                "contract": client.address,
                "previous_anchorer": previous,
                "anchorer": chosen,
                "tx_hash": "0x" + tx_hash.hex(),
                "block_number": outcome.block_number,
            }
        )
    )


def deploy(
    owner_key_file: Annotated[
        Path, typer.Option("--owner-key-file", help="file holding the new owner's key (pays)")
    ],
    rpc_url: RpcOption = None,
    contract_version: Annotated[
        int, typer.Option("--contract-version", min=1, help="anchor contract version")
    ] = LATEST,
    timeout: Annotated[
        float | None, typer.Option("--timeout", min=0.0, help="seconds to wait for the block")
    ] = None,
) -> None:
    """Deploy a new anchor contract owned by a key of yours; prints its address."""
    settings = load_settings(rpc_url=rpc_url, wait_timeout=timeout)
    with guarded():
        owner = key_from_file(owner_key_file, "owner")
        chain = connect(settings)
        if contract_version not in VERSIONS:
            fail("unknown_version", f"known versions: {sorted(VERSIONS)}", exit_code=2)
        client = VERSIONS[contract_version].deploy(
            chain, sender=owner, timeout=settings.wait_timeout
        )
        report = {
            "contract": client.address,
            "version": client.VERSION,
            "owner": client.owner(),
            "chain_id": chain.chain_id,
        }
    typer.echo(json.dumps(report))
