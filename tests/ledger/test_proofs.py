"""Inclusion and consistency proofs served from the database, checked by the pure verifiers.

Roots come from three places that must agree: the ledger's own proofs, the signed
checkpoints, and :func:`tests.ledger.oracle.mth` over the stored leaves. Proofs are
requested for many (index, size) pairs, including every size a checkpoint was cut at, and
each must verify with :mod:`ledger.merkle.verify` and cost a fixed handful of queries.
"""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import event

from ledger.core.checkpoint import NoteVerifier, SignedCheckpoint
from ledger.core.errors import InvalidEvent, ProofError
from ledger.core.merkle.verify import verify_consistency, verify_inclusion
from ledger.log import Ledger
from tests.ledger import oracle
from tests.ledger.rewrite import Raw
from tests.ledger.scenario import Base

MAX_QUERIES = 8  # per proof, whatever the tree size: O(log n) hashes in O(1) reads


@pytest.fixture(scope="module")
def reader(base: Base) -> Iterator[Ledger]:
    with Ledger.open(base.url, read_only=True) as opened:
        yield opened


@pytest.fixture(scope="module")
def leaves(base: Base) -> list[bytes]:
    with Raw(base.url) as raw:
        return [
            oracle.leaf_of(r.format, r.canonical, r.signature, r.recorded_at) for r in raw.entries()
        ]


@pytest.fixture(scope="module")
def roots(leaves: list[bytes]) -> Callable[[int], bytes]:
    """The oracle's root of the first n leaves, remembered."""
    return functools.cache(lambda size: oracle.mth(leaves[:size]))


@pytest.fixture(scope="module")
def signed_roots(base: Base, reader: Ledger) -> dict[int, bytes]:
    """The checkpoints of the base ledger, each verified with the ledger's key first."""
    verifier = NoteVerifier.for_key(reader.origin, reader.public_key)
    with Raw(base.url) as raw:
        notes = raw.checkpoint_notes()
    roots = {}
    for size, note in notes.items():
        checkpoint = SignedCheckpoint.parse(note).verify(verifier, origin=reader.origin)
        assert checkpoint.tree_size == size
        roots[size] = checkpoint.root_hash
    assert sorted(roots) == list(base.checkpoints)
    return roots


class QueryCounter:
    def __init__(self, ledger: Ledger) -> None:
        self.count = 0
        self._engine = ledger.engines.read

    def __enter__(self) -> QueryCounter:
        event.listen(self._engine, "before_cursor_execute", self._tick)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self._engine, "before_cursor_execute", self._tick)

    def _tick(self, *args: object) -> None:
        self.count += 1


def pairs(size: int, checkpoints: tuple[int, ...]) -> list[tuple[int, int]]:
    """(index, size) pairs: small trees exhaustively, checkpoint sizes, borders, a sample."""
    chosen = {(i, n) for n in range(1, 9) for i in range(n)}
    for n in (*checkpoints, size - 1, 128, 129):
        chosen.update((i, n) for i in {0, n // 2, n - 2, n - 1} if 0 <= i < n)
    rng = random.Random(2)
    for _ in range(30):
        n = rng.randint(1, size)
        chosen.add((rng.randrange(n), n))
    return sorted(chosen)


def test_inclusion_proofs_verify_for_many_pairs(
    reader: Ledger,
    base: Base,
    leaves: list[bytes],
    roots: Callable[[int], bytes],
    signed_roots: dict[int, bytes],
) -> None:
    checked = 0
    for index, size in pairs(base.size, base.checkpoints):
        with QueryCounter(reader) as queries:
            proof = reader.inclusion_proof(index, size)
        assert queries.count <= MAX_QUERIES
        assert (proof.leaf_index, proof.tree_size) == (index, size)
        assert proof.leaf_hash == leaves[index]
        root = roots(size)
        assert proof.root_hash == root
        verify_inclusion(leaves[index], index, size, proof.audit_path, root)
        if size in signed_roots:
            verify_inclusion(leaves[index], index, size, proof.audit_path, signed_roots[size])
        checked += 1
    assert checked > 80


def test_consistency_proofs_verify_for_many_pairs(
    reader: Ledger,
    base: Base,
    roots: Callable[[int], bytes],
    signed_roots: dict[int, bytes],
) -> None:
    sizes = sorted({1, 2, 7, 8, 65, base.size - 1, *signed_roots})
    rng = random.Random(3)
    chosen = {(m, n) for m in sizes for n in sizes if m <= n}
    for _ in range(20):
        m, n = sorted((rng.randint(1, base.size), rng.randint(1, base.size)))
        chosen.add((m, n))
    for first, second in sorted(chosen):
        with QueryCounter(reader) as queries:
            proof = reader.consistency_proof(first, second)
        assert queries.count <= MAX_QUERIES
        first_root, second_root = roots(first), roots(second)
        assert (proof.first_root, proof.second_root) == (first_root, second_root)
        verify_consistency(first, second, first_root, second_root, proof.proof)
    # between every two signed checkpoints: the history an auditor pinned still holds
    checkpoints = sorted(signed_roots)
    for first, second in itertools.pairwise(checkpoints):
        proof = reader.consistency_proof(first, second)
        verify_consistency(first, second, signed_roots[first], signed_roots[second], proof.proof)


def test_a_proof_for_one_entry_does_not_prove_another(reader: Ledger, leaves: list[bytes]) -> None:
    proof = reader.inclusion_proof(10, 100)
    with pytest.raises(ProofError):
        verify_inclusion(leaves[11], 10, 100, proof.audit_path, proof.root_hash)
    with pytest.raises(ProofError):
        verify_inclusion(leaves[10], 11, 100, proof.audit_path, proof.root_hash)
    consistency = reader.consistency_proof(50, 100)
    with pytest.raises(ProofError):
        verify_consistency(50, 100, oracle.mth(leaves[1:51]), proof.root_hash, consistency.proof)


def test_default_tree_size_is_the_current_one(reader: Ledger, base: Base) -> None:
    proof = reader.inclusion_proof(3)
    assert proof.tree_size == base.size
    assert proof.to_json()["root_hash"] == proof.root_hash.hex()


@pytest.mark.parametrize(
    ("seq", "size", "field"),
    [(-1, 10, "seq"), (10, 10, "seq"), (0, 0, "tree_size"), (0, 10**6, "tree_size")],
)
def test_impossible_inclusion_proofs_name_their_field(
    reader: Ledger, seq: int, size: int, field: str
) -> None:
    with pytest.raises(InvalidEvent) as caught:
        reader.inclusion_proof(seq, size)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("first", "second", "field"),
    [(0, 5, "first"), (6, 5, "first"), (1, 10**6, "second"), (1, 0, "second")],
)
def test_impossible_consistency_proofs_name_their_field(
    reader: Ledger, first: int, second: int, field: str
) -> None:
    with pytest.raises(InvalidEvent) as caught:
        reader.consistency_proof(first, second)
    assert caught.value.field == field
