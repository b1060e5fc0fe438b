"""Checks stored anchors against the chain, and a ledger against what was anchored.

For each confirmed anchor: the contract holds that root at that tree size, the
transaction's block is still canonical and deep enough, the ledger's own checkpoint at
that size has the same root, and a consistency proof links the anchored root to the
ledger's latest root. The last check is what catches an operator who rewrote history and
re-signed it with the ledger key: the new tree is not an extension of the anchored one.
Verification raises an :class:`AnchorVerificationError`; it never returns a bool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from ledger.anchoring.anchor_client import AnchorContractClient, AnchorRecord
from ledger.anchoring.anchor_versions import open_anchor_client
from ledger.anchoring.chain import Chain
from ledger.anchoring.contract import address
from ledger.anchoring.store import AnchorRow, AnchorStatus, all_anchors
from ledger.core.errors import LedgerError
from ledger.core.merkle.verify import verify_consistency
from ledger.log import Ledger
from ledger.storage.models import Checkpoint


class AnchorVerificationError(LedgerError):
    """An anchor does not hold: root of the anchor verification failures."""

    code = "anchor_invalid"
    status = 422

    def __init__(self, detail: str, *, tree_size: int, field: str | None = None) -> None:
        super().__init__(f"anchor at size {tree_size}: {detail}", field=field)
        self.tree_size = tree_size


class AnchorNotOnChain(AnchorVerificationError):
    """The contract holds no anchor at that size, or holds another root there."""

    code = "anchor_not_on_chain"


class AnchorNotFinal(AnchorVerificationError):
    """The anchor's transaction is not in a canonical block, or not deep enough."""

    code = "anchor_not_final"


class AnchorInconsistent(AnchorVerificationError):
    """The ledger is not an append-only extension of the anchored tree."""

    code = "anchor_inconsistent"


@dataclass(frozen=True, slots=True)
class VerifiedAnchor:
    tree_size: int
    root_hash: bytes
    block_number: int
    confirmations: int


def find_on_chain(client: AnchorContractClient, ledger_id: bytes, tree_size: int) -> AnchorRecord:
    """The on-chain anchor at ``tree_size`` (sizes strictly increase: one at most)."""
    for record in client.records(ledger_id):
        if record.tree_size == tree_size:
            return record
    raise AnchorNotOnChain("the contract holds no anchor at this size", tree_size=tree_size)


def verify_anchors(
    anchors: Iterable[AnchorRow],
    roots: Mapping[int, bytes],
    latest: tuple[int, bytes],
    prove: Callable[[int, int], Sequence[bytes]],
    chain: Chain,
    client: AnchorContractClient | None,
    confirmations: int,
) -> list[VerifiedAnchor]:
    """Verifies every confirmed anchor; pending and orphaned rows are not claims yet.

    ``roots`` are the ledger's checkpoint roots by tree size, ``latest`` its newest
    (size, root), and ``prove(first, second)`` its consistency proof between two sizes.
    With ``client`` None (a bundle checked against an RPC URL), each anchor's own
    contract address is used, on a chain whose id must match the anchor's.
    """
    latest_size, latest_root = latest
    verified: list[VerifiedAnchor] = []
    clients: dict[str, AnchorContractClient] = {}
    held: dict[tuple[str, bytes], dict[int, AnchorRecord]] = {}
    for anchor in anchors:
        if anchor.status is not AnchorStatus.CONFIRMED:
            continue
        size = anchor.tree_size
        if client is None:
            if chain.chain_id != anchor.chain_id:
                raise AnchorNotOnChain(
                    f"anchored on chain {anchor.chain_id}, not {chain.chain_id}", tree_size=size
                )
            if anchor.contract not in clients:
                with chain.translating():
                    code = chain.w3.eth.get_code(address(anchor.contract, "contract"))
                if not code:
                    raise AnchorNotOnChain(f"no contract at {anchor.contract}", tree_size=size)
                clients[anchor.contract] = open_anchor_client(chain, anchor.contract)
            contract = clients[anchor.contract]
        else:
            contract = client
        key = (contract.address, anchor.ledger_id)
        if key not in held:  # one read of each contract, however many rows name it
            held[key] = {r.tree_size: r for r in contract.records(anchor.ledger_id)}
        record = held[key].get(size)
        if record is None:
            raise AnchorNotOnChain("the contract holds no anchor at this size", tree_size=size)
        if record.root != anchor.root_hash:
            raise AnchorNotOnChain("the contract holds another root", tree_size=size)
        outcome = chain.receipt(anchor.tx_hash)
        if outcome is None or outcome.block_hash != anchor.block_hash:
            raise AnchorNotFinal("its block is no longer canonical", tree_size=size)
        if outcome.block_number != record.block_number:
            raise AnchorNotOnChain("the contract recorded another block", tree_size=size)
        if outcome.confirmations < confirmations:
            raise AnchorNotFinal(
                f"{outcome.confirmations} confirmations, {confirmations} required",
                tree_size=size,
            )
        _check_linked(record, roots, latest_size, latest_root, prove)
        verified.append(
            VerifiedAnchor(size, record.root, record.block_number, outcome.confirmations)
        )
    return verified


def verify_chain_anchors(
    ledger_id: bytes,
    roots: Mapping[int, bytes],
    latest: tuple[int, bytes],
    prove: Callable[[int, int], Sequence[bytes]],
    chain: Chain,
    client: AnchorContractClient,
    confirmations: int,
) -> list[VerifiedAnchor]:
    """Checks the ledger against every anchor the contract holds for ``ledger_id``.

    Unlike :func:`verify_anchors` this needs nothing from the ledger's own records, so
    a forger who also drops the anchor rows from the database or the bundle is still
    caught. ``client`` must come from trusted configuration, not from the bundle. Anchors
    not yet ``confirmations`` deep are skipped: a reorganisation could still drop them.
    """
    latest_size, latest_root = latest
    head = chain.head()
    verified: list[VerifiedAnchor] = []
    for record in client.records(ledger_id):
        depth = head - record.block_number + 1
        if depth < confirmations:
            continue
        _check_linked(record, roots, latest_size, latest_root, prove)
        verified.append(VerifiedAnchor(record.tree_size, record.root, record.block_number, depth))
    return verified


def _check_linked(
    record: AnchorRecord,
    roots: Mapping[int, bytes],
    latest_size: int,
    latest_root: bytes,
    prove: Callable[[int, int], Sequence[bytes]],
) -> None:
    """Raises unless the ledger's latest tree extends the anchored one."""
    size = record.tree_size
    ledger_root = roots.get(size)
    if ledger_root is not None and ledger_root != record.root:
        raise AnchorInconsistent(
            "the ledger's checkpoint root differs from the anchored root", tree_size=size
        )
    if size > latest_size:
        raise AnchorInconsistent(
            f"the ledger (size {latest_size}) is shorter than the anchor", tree_size=size
        )
    try:
        verify_consistency(size, latest_size, record.root, latest_root, prove(size, latest_size))
    except LedgerError as exc:
        raise AnchorInconsistent(
            f"no consistency with the latest checkpoint: {exc}", tree_size=size
        ) from exc


def verify_ledger_anchors(
    ledger: Ledger, chain: Chain, client: AnchorContractClient | None, confirmations: int
) -> list[VerifiedAnchor]:
    """:func:`verify_anchors` over a ledger database: its anchors, checkpoints and proofs."""
    with ledger.reading() as connection:
        anchors = all_anchors(connection)
        roots = {
            int(size): bytes(root)
            for size, root in connection.execute(select(Checkpoint.tree_size, Checkpoint.root_hash))
        }
    latest = ledger.latest_checkpoint().checkpoint

    def prove(first: int, second: int) -> Sequence[bytes]:
        return [] if first == second else ledger.consistency_proof(first, second).proof

    return verify_anchors(
        anchors, roots, (latest.tree_size, latest.root_hash), prove, chain, client, confirmations
    )


def anchor_lines(connection: Connection) -> Iterator[dict[str, Any]]:
    """The export bundle's ``{"kind": "anchor", ...}`` lines, oldest anchor first."""
    for row in all_anchors(connection):
        yield row.to_json()
