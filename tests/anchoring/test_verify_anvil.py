"""Verification against the chain: honest ledgers pass, rewritten histories are caught.

The forger holds the ledger's signing key: the forged ledger has the same origin and key,
its checkpoints are validly signed, and it is just as long. Only the anchor on chain,
which it cannot rewrite, tells the two apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from ledger.anchoring import Chain, LedgerAnchorClient
from ledger.anchoring.service import AnchorService
from ledger.anchoring.store import ledger_id_for
from ledger.anchoring.verify import (
    AnchorInconsistent,
    AnchorNotFinal,
    AnchorNotOnChain,
    verify_anchors,
    verify_chain_anchors,
    verify_ledger_anchors,
)
from ledger.log import Ledger
from tests.anchoring.conftest import grow, new_ledger

pytestmark = pytest.mark.chain


def anchored(ledger: Ledger, chain: Chain, service: AnchorService) -> int:
    """Grows the ledger, anchors a checkpoint and confirms it; returns its size."""
    grow(ledger, 3)
    size = ledger.checkpoint().checkpoint.tree_size
    assert service.anchor_latest() is not None
    chain.mine(3)
    assert service.poll().confirmed == (size,)
    return size


def test_an_honest_ledger_verifies_against_its_anchors(
    ledger: Ledger, chain: Chain, client: LedgerAnchorClient, service: AnchorService
) -> None:
    first = anchored(ledger, chain, service)
    second = anchored(ledger, chain, service)
    grow(ledger, 2)
    latest = ledger.checkpoint().checkpoint.tree_size  # not anchored yet: still linked
    verified = verify_ledger_anchors(ledger, chain, client, confirmations=3)
    assert [v.tree_size for v in verified] == [first, second]
    assert latest > second
    with pytest.raises(AnchorNotFinal):
        verify_ledger_anchors(ledger, chain, client, confirmations=1000)


def test_a_history_rewritten_with_the_ledger_key_is_caught(
    tmp_path: Path,
    ledger: Ledger,
    chain: Chain,
    client: LedgerAnchorClient,
    service: AnchorService,
) -> None:
    anchored_size = anchored(ledger, chain, service)
    grow(ledger, 2)
    honest_latest = ledger.checkpoint().checkpoint
    anchors = service.anchors()

    # Same key, same origin, same length; different history from entry 2 on.
    with new_ledger(tmp_path / "forged.db") as forged:
        assert forged.origin == ledger.origin
        assert ledger_id_for(forged.origin) == service.ledger_id
        grow(forged, (honest_latest.tree_size - forged.size()) // 2, tag="forged")
        assert forged.size() == honest_latest.tree_size
        forged_latest = forged.checkpoint().checkpoint  # validly signed by the ledger key
        assert forged_latest.root_hash != honest_latest.root_hash

        def prove(first: int, second: int) -> list[bytes]:
            return [] if first == second else forged.consistency_proof(first, second).proof

        with pytest.raises(AnchorInconsistent) as caught:
            verify_anchors(
                anchors,
                {},  # the forger dropped its old checkpoints: the proof still fails
                (forged_latest.tree_size, forged_latest.root_hash),
                prove,
                chain,
                client,
                confirmations=3,
            )
        assert caught.value.tree_size == anchored_size

        # A forged checkpoint kept at exactly the anchored size differs from the chain too.
        forged_at_anchor = {anchored_size: bytes(32)}
        with pytest.raises(AnchorInconsistent, match="checkpoint root differs"):
            verify_anchors(
                anchors,
                forged_at_anchor,
                (forged_latest.tree_size, forged_latest.root_hash),
                prove,
                chain,
                client,
                confirmations=3,
            )


def test_a_stored_anchor_the_chain_does_not_hold_is_refused(
    ledger: Ledger, chain: Chain, client: LedgerAnchorClient, service: AnchorService
) -> None:
    size = anchored(ledger, chain, service)
    latest = ledger.latest_checkpoint().checkpoint
    [row] = service.anchors()

    def prove(first: int, second: int) -> list[bytes]:
        return []

    args = ({}, (latest.tree_size, latest.root_hash), prove, chain, client, 3)
    with pytest.raises(AnchorNotOnChain):
        verify_anchors([replace(row, root_hash=bytes(32))], *args)
    with pytest.raises(AnchorNotOnChain):
        verify_anchors([replace(row, tree_size=size + 1)], *args)
    with pytest.raises(AnchorNotFinal):
        verify_anchors([replace(row, block_hash=bytes(32))], *args)
    assert len(verify_anchors([row], *args)) == 1


def test_the_chain_alone_catches_a_forger_who_also_drops_the_anchor_rows(
    tmp_path: Path,
    ledger: Ledger,
    chain: Chain,
    client: LedgerAnchorClient,
    service: AnchorService,
) -> None:
    first = anchored(ledger, chain, service)
    second = anchored(ledger, chain, service)
    honest = ledger.latest_checkpoint().checkpoint

    def prover(of: Ledger) -> Callable[[int, int], list[bytes]]:
        def prove(a: int, b: int) -> list[bytes]:
            return [] if a == b else of.consistency_proof(a, b).proof

        return prove

    verified = verify_chain_anchors(
        service.ledger_id,
        {},
        (honest.tree_size, honest.root_hash),
        prover(ledger),
        chain,
        client,
        confirmations=3,
    )
    assert [v.tree_size for v in verified] == [first, second]

    with new_ledger(tmp_path / "forged.db") as forged:  # no anchor rows at all
        grow(forged, (honest.tree_size - forged.size()) // 2 + 1, tag="forged")
        cp = forged.checkpoint().checkpoint
        with pytest.raises(AnchorInconsistent) as caught:
            verify_chain_anchors(
                ledger_id_for(forged.origin),
                {},
                (cp.tree_size, cp.root_hash),
                prover(forged),
                chain,
                client,
                confirmations=3,
            )
        assert caught.value.tree_size == first

    # A ledger cut back below an anchor is caught as well.
    with pytest.raises(AnchorInconsistent, match="shorter"):
        verify_chain_anchors(
            service.ledger_id,
            {},
            (first, ledger.consistency_proof(first, first).first_root),
            prover(ledger),
            chain,
            client,
            confirmations=3,
        )
