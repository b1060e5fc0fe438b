"""Anchors checked as part of ``threeflow verify --rpc-url``: for databases and bundles.

A database has already passed :func:`ledger.audit.verify_database` (so its stored subtree
hashes, and the consistency proofs served from them, are sound) when these checks run. A
bundle has no tree to serve proofs from, so its verifier keeps the recomputed root at each
anchored size instead: a root recomputed from the bundle's own leaves that equals the
anchored root is a stronger link than any proof.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.anchoring.anchor_client import LedgerAnchorClient
from ledger.anchoring.chain import Chain
from ledger.anchoring.store import anchor_from_json, ledger_id_for
from ledger.anchoring.verify import (
    AnchorInconsistent,
    VerifiedAnchor,
    verify_anchors,
    verify_chain_anchors,
    verify_ledger_anchors,
)
from ledger.log import Ledger
from ledger.verification.stream import Report


def connect(rpc_url: str) -> Chain:
    return Chain.in_process() if rpc_url == "in-process" else Chain.connect(rpc_url)


def chain_anchor_sizes(chain: Chain, contract: str, origin: str) -> list[int]:
    """Tree sizes the trusted contract holds for this ledger (to keep roots at, while streaming)."""
    client = LedgerAnchorClient(chain, contract)
    ledger_id = ledger_id_for(origin)
    return [client.anchor_at(ledger_id, i).tree_size for i in range(client.count(ledger_id))]


def check_database(
    url: str, chain: Chain, contract: str | None, confirmations: int
) -> list[VerifiedAnchor]:
    with Ledger.open(url, read_only=True) as ledger:
        if contract is None:
            return verify_ledger_anchors(ledger, chain, None, confirmations)
        client = LedgerAnchorClient(chain, contract)
        verified = verify_ledger_anchors(ledger, chain, client, confirmations)
        latest = ledger.latest_checkpoint().checkpoint

        def prove(first: int, second: int) -> Sequence[bytes]:
            return [] if first == second else ledger.consistency_proof(first, second).proof

        verified += verify_chain_anchors(
            ledger_id_for(ledger.origin),
            {},
            (latest.tree_size, latest.root_hash),
            prove,
            chain,
            client,
            confirmations,
        )
        return verified


def check_bundle(
    report: Report, origin: str, chain: Chain, contract: str | None, confirmations: int
) -> list[VerifiedAnchor]:
    verified: list[VerifiedAnchor] = []
    client = LedgerAnchorClient(chain, contract) if contract else None
    for line in report.anchors:
        row = anchor_from_json(line)
        root = report.roots.get(row.tree_size)
        if root is None:
            raise AnchorInconsistent(
                "the bundle ends before the anchored size", tree_size=row.tree_size
            )
        verified += verify_anchors(
            [row],
            {row.tree_size: root},
            (row.tree_size, root),
            lambda a, b: [],
            chain,
            client,
            confirmations,
        )
    if client is not None:
        ledger_id = ledger_id_for(origin)
        head = chain.head()
        for index in range(client.count(ledger_id)):
            record = client.anchor_at(ledger_id, index)
            if head - record.block_number + 1 < confirmations:
                continue
            root = report.roots.get(record.tree_size)
            if root != record.root:
                what = "ends before it" if root is None else "has another root at that size"
                raise AnchorInconsistent(f"the bundle {what}", tree_size=record.tree_size)
            verified.append(
                VerifiedAnchor(
                    record.tree_size,
                    record.root,
                    record.block_number,
                    head - record.block_number + 1,
                )
            )
    return verified
