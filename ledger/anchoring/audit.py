"""Anchors checked as part of ``threeflow verify --rpc-url``: for databases and bundles.

Two checks, and what each is worth. Every anchor the ledger itself records (its rows, a
bundle's ``anchor`` lines) is looked up on the contract it names. And every anchor a
contract holds for this ledger is checked against the ledger, which catches a forger who
rewrote history with the ledger key and deleted the anchor rows too. That second check is
only as good as the contract's address: one the auditor gives (``--contract``) or the
operator configured (``THREEFLOW_ANCHOR_CONTRACT``) is trusted; without either, the
contracts the ledger's own rows name are used and the answer says so; with none at all,
:class:`~ledger.anchoring.errors.NothingChecked` says plainly that nothing on chain was
checked, rather than a reassuring "0 anchors verified".

A database has already passed :func:`ledger.audit.verify_database` (so its stored subtree
hashes, and the consistency proofs served from them, are sound) when these checks run. A
bundle has no tree to serve proofs from, so its verifier keeps the recomputed root at each
anchored size instead: a root recomputed from the bundle's own leaves that equals the
anchored root is a stronger link than any proof.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from ledger.anchoring.anchor_client import AnchorContractClient
from ledger.anchoring.anchor_versions import open_anchor_client
from ledger.anchoring.chain import Chain
from ledger.anchoring.contract import address
from ledger.anchoring.errors import BadChainInput, NothingChecked
from ledger.anchoring.settings import IN_PROCESS, AnchorSettings
from ledger.anchoring.store import AnchorRow, all_anchors, anchor_from_json, ledger_id_for
from ledger.anchoring.verify import (
    AnchorInconsistent,
    VerifiedAnchor,
    verify_anchors,
    verify_chain_anchors,
)
from ledger.log import Ledger
from ledger.storage.models import Checkpoint
from ledger.verification.stream import Report


@dataclass(frozen=True, slots=True)
class AnchorAudit:
    """What was checked on chain: the anchors verified and the contracts that held them."""

    verified: list[VerifiedAnchor]
    contracts: tuple[str, ...]
    #: False when the contracts came from the ledger's own records, not from the auditor.
    trusted: bool
    chain_id: int


@dataclass(slots=True)
class BundlePlan:
    """Read before a bundle streams: which contracts to ask, and the sizes to keep roots at."""

    contracts: list[str]
    trusted: bool
    watch: list[int] = field(default_factory=list)


def connect(rpc_url: str, timeout: float = 10.0) -> Chain:
    return Chain.in_process() if rpc_url == IN_PROCESS else Chain.connect(rpc_url, timeout=timeout)


def trusted_contracts(given: Sequence[str]) -> list[str]:
    """The contracts the auditor named, else the one the operator configured, else none."""
    if given:
        return [address(c, "contract") for c in given]
    try:
        configured = AnchorSettings().contract
    except ValidationError as exc:
        fields = ", ".join(str(e["loc"][0]) for e in exc.errors(include_input=False) if e["loc"])
        raise BadChainInput(f"the THREEFLOW_ANCHOR_* settings are invalid: {fields}") from None
    return [] if configured is None else [address(configured, "THREEFLOW_ANCHOR_CONTRACT")]


def _client(chain: Chain, contract: str) -> AnchorContractClient:
    """A client of a contract (either version); no code there means nothing to check."""
    return open_anchor_client(chain, contract)


def _named_by(rows: Sequence[AnchorRow], chain_id: int) -> list[str]:
    return sorted({row.contract for row in rows if row.chain_id == chain_id})


def _unique(verified: list[VerifiedAnchor]) -> list[VerifiedAnchor]:
    """Each anchor once, oldest first (a row and its contract's record are one anchor)."""
    seen = {(v.tree_size, v.block_number): v for v in verified}
    return sorted(seen.values(), key=lambda v: (v.block_number, v.tree_size))


def _settled(
    verified: list[VerifiedAnchor], contracts: list[str], trusted: bool, chain: Chain, depth: int
) -> AnchorAudit:
    verified = _unique(verified)
    if not verified:
        raise NothingChecked(
            f"nothing on chain was checked: {', '.join(contracts)} holds no anchor of this "
            f"ledger {depth} blocks deep"
        )
    return AnchorAudit(verified, tuple(contracts), trusted, chain.chain_id)


def _none_to_check() -> NothingChecked:
    return NothingChecked(
        "nothing on chain was checked: no contract was given (--contract, or "
        "THREEFLOW_ANCHOR_CONTRACT) and the ledger records no anchor on this chain"
    )


def check_database(url: str, chain: Chain, given: Sequence[str], confirmations: int) -> AnchorAudit:
    """Every recorded anchor on its contract, and every anchor the contracts hold."""
    contracts = trusted_contracts(given)
    with Ledger.open(url, read_only=True) as ledger:
        with ledger.reading() as connection:
            rows = all_anchors(connection)
            roots = {
                int(size): bytes(root)
                for size, root in connection.execute(
                    select(Checkpoint.tree_size, Checkpoint.root_hash)
                )
            }
        latest = ledger.latest_checkpoint().checkpoint
        head = (latest.tree_size, latest.root_hash)

        def prove(first: int, second: int) -> Sequence[bytes]:
            return [] if first == second else ledger.consistency_proof(first, second).proof

        trusted = bool(contracts)
        clients = [_client(chain, c) for c in contracts]
        verified = verify_anchors(rows, roots, head, prove, chain, None, confirmations)
        if not trusted:
            contracts = _named_by(rows, chain.chain_id)
            clients = [_client(chain, c) for c in contracts]
        if not clients:
            raise _none_to_check()
        ledger_id = ledger_id_for(ledger.origin)
        for client in clients:
            verified += verify_chain_anchors(
                ledger_id, roots, head, prove, chain, client, confirmations
            )
    return _settled(verified, contracts, trusted, chain, confirmations)


def _anchor_lines(bundle: Path) -> Iterator[dict[str, Any]]:
    """The bundle's ``anchor`` lines: they come before its entries, so this reads little."""
    with bundle.open(encoding="utf-8") as handle:
        for text in handle:
            try:
                obj = json.loads(text)
            except json.JSONDecodeError:
                return  # the verifier that streams it next names the bad line
            if not isinstance(obj, dict) or obj.get("kind") == "entry":
                return
            if obj.get("kind") == "anchor":
                yield obj


def plan_bundle(bundle: Path, origin: str, chain: Chain, given: Sequence[str]) -> BundlePlan:
    """Which contracts a bundle is checked against, and the sizes they hold for it."""
    contracts = trusted_contracts(given)
    trusted = bool(contracts)
    if not trusted:
        rows = [anchor_from_json(line) for line in _anchor_lines(bundle)]
        contracts = _named_by(rows, chain.chain_id)
    ledger_id = ledger_id_for(origin)
    watch: list[int] = []
    for contract in contracts:
        watch += [r.tree_size for r in _client(chain, contract).records(ledger_id)]
    return BundlePlan(contracts, trusted, watch)


def check_bundle(
    report: Report, origin: str, chain: Chain, plan: BundlePlan, confirmations: int
) -> AnchorAudit:
    """Every anchor line on its contract, and every anchor the planned contracts hold."""
    verified: list[VerifiedAnchor] = []
    for line in report.anchors:
        row = anchor_from_json(line)
        root = report.roots.get(row.tree_size)
        if root is None:
            raise AnchorInconsistent(
                "the bundle ends before the anchored size", tree_size=row.tree_size
            )
        verified += verify_anchors(
            [row], {row.tree_size: root}, (row.tree_size, root), lambda a, b: [], chain, None,
            confirmations,
        )  # fmt: skip
    if not plan.contracts:
        raise _none_to_check()
    ledger_id = ledger_id_for(origin)
    head = chain.head()
    for contract in plan.contracts:
        for record in _client(chain, contract).records(ledger_id):
            depth = head - record.block_number + 1
            if depth < confirmations:
                continue
            root = report.roots.get(record.tree_size)
            if root != record.root:
                what = "ends before it" if root is None else "has another root at that size"
                raise AnchorInconsistent(f"the bundle {what}", tree_size=record.tree_size)
            verified.append(
                VerifiedAnchor(record.tree_size, record.root, record.block_number, depth)
            )
    return _settled(verified, plan.contracts, plan.trusted, chain, confirmations)
