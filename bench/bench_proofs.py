"""How much a Merkle proof costs before storage is involved: planning and assembly.

Storage latency is measured elsewhere; here the reader answers from memory, so the
figures are the pure-Python floor a proof request pays at each tree size. A synthetic
reader fabricates node hashes for the large sizes (plans only need *some* 32 bytes per
node); verification and appends are timed on a real tree.

Run: ``.venv/bin/python -m bench.bench_proofs``
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Mapping, Sequence

from ledger.core.hashing import leaf_hash
from ledger.core.merkle import (
    Frontier,
    MemoryNodes,
    NodeId,
    consistency_plan,
    consistency_proof,
    inclusion_plan,
    inclusion_proof,
    root_at,
    verify_consistency,
    verify_inclusion,
)

SIZES = (1_000, 10_000, 100_000, 1_000_000)
SAMPLES = 2_000
REAL_SIZE = 100_000


class SyntheticNodes:
    """Answers any id with a stable fake hash: the cost of a dict-speed store, no more."""

    def get_nodes(self, ids: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        return {node: hashlib.sha256(b"%d/%d" % (node.level, node.index)).digest() for node in ids}


def _per_call_us(fn: Callable[..., object], calls: Sequence[tuple[object, ...]]) -> float:
    """Mean wall time of ``fn(*args)`` over ``calls``, in microseconds."""
    start = time.perf_counter()
    for args in calls:
        fn(*args)
    return (time.perf_counter() - start) / len(calls) * 1e6


def bench_plans(rng: random.Random) -> None:
    reader = SyntheticNodes()
    print(f"proof planning and assembly, {SAMPLES} random requests per size (in-memory reader)")
    print(
        f"{'size':>10} {'incl plan':>10} {'incl proof':>11} {'cons plan':>10} "
        f"{'cons proof':>11} {'root_at':>8} {'ids max':>8}   (microseconds per call)"
    )
    for size in SIZES:
        incl = [(rng.randrange(size), size) for _ in range(SAMPLES)]
        cons = [(rng.randrange(1, size + 1), size) for _ in range(SAMPLES)]
        with_reader = [(*args, reader) for args in incl]
        cons_reader = [(*args, reader) for args in cons]
        most = max(
            max(len(inclusion_plan(i, n).ids) for i, n in incl),
            max(len(consistency_plan(m, n).ids) for m, n in cons),
        )
        figures = (
            _per_call_us(inclusion_plan, incl),
            _per_call_us(inclusion_proof, with_reader),
            _per_call_us(consistency_plan, cons),
            _per_call_us(consistency_proof, cons_reader),
            _per_call_us(root_at, [(size, reader)] * SAMPLES),
        )
        widths = (10, 11, 10, 11, 8)
        cells = " ".join(f"{us:>{w}.1f}" for us, w in zip(figures, widths, strict=True))
        print(f"{size:>10,} {cells} {most:>8}")


def bench_real_tree(rng: random.Random) -> None:
    leaves = [leaf_hash(i.to_bytes(8, "big")) for i in range(REAL_SIZE)]
    store, frontier = MemoryNodes(), Frontier()
    start = time.perf_counter()
    for index, leaf in enumerate(leaves):
        store.put([(NodeId(0, index), leaf)])
        store.put(frontier.push(leaf))
    elapsed = time.perf_counter() - start
    print(f"\nreal tree of {REAL_SIZE:,} leaves")
    print(f"  append (Frontier.push + store): {elapsed / REAL_SIZE * 1e6:.1f} us per leaf")
    root = frontier.root()
    cases = []
    for _ in range(SAMPLES):
        index = rng.randrange(REAL_SIZE)
        cases.append((leaves[index], index, inclusion_proof(index, REAL_SIZE, store)))
    us = _per_call_us(verify_inclusion, [(leaf, i, REAL_SIZE, p, root) for leaf, i, p in cases])
    print(f"  verify_inclusion: {us:.1f} us per proof")
    firsts = [rng.randrange(1, REAL_SIZE) for _ in range(200)]
    checks = [(m, root_at(m, store), consistency_proof(m, REAL_SIZE, store)) for m in firsts]
    us = _per_call_us(verify_consistency, [(m, REAL_SIZE, r, root, p) for m, r, p in checks])
    print(f"  verify_consistency: {us:.1f} us per proof")


def main() -> None:
    rng = random.Random(9162)
    bench_plans(rng)
    bench_real_tree(rng)


if __name__ == "__main__":
    main()
