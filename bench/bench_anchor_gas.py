"""Gas and throughput of anchoring, next to writing every event hash on chain.

Why anchor a Merkle root instead of each event? This prints the numbers: an anchor costs
the same gas for a tree of one entry or a million, while storing each event's hash costs
one fresh storage slot per event. Both contract versions in one run: LedgerAnchor (v1, a
storage slot per anchor) and LedgerAnchorV2 (one running commitment, an event per anchor;
target 33,000 gas). Also anchors per second on anvil and in-process, the time from sending
an anchor to its first confirmation, and what reading every anchor back costs a verifier
(v1: a call per anchor; v2: the events and one call). Prints; asserts nothing.

    .venv/bin/python -m bench.bench_anchor_gas
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from eth_typing import ChecksumAddress, HexStr

from ledger.anchoring import Chain, TxOptions
from ledger.anchoring.anchor_client import AnchorContractClient
from ledger.anchoring.anchor_versions import VERSIONS
from ledger.anchoring.devnode import AnvilNode

TARGET = 33_000  # issue 16: under one storage slot of gas (a fresh slot + the base: 42,240)
TX_BASE = 21_000
FRESH_SSTORE = 20_000  # EIP-2200 zero -> non-zero store; EIP-2929 adds 2,100 when cold
TREE_SIZES = (1, 10, 100, 1_000, 10_000, 100_000, 1_000_000)
MEASURED_BATCHES = (1, 10, 100, 1_000)  # one block holds about 1,300 fresh slots

# A hand-assembled contract standing for "write every event hash on chain": for each
# 32-byte word of calldata it does sstore(word, 1), i.e. a set of hashes, one fresh slot
# per hash and nothing else (no access control, no events: a lower bound).
#   runtime: offset=0; loop: if !(calldatasize > offset) stop;
#            sstore(calldataload(offset), 1); offset += 32; goto loop
_RUNTIME = "60005b803611600a57005b6001813555602001600256"
_INIT = "6016600c60003960166000f3"  # codecopy(0, 12, 22); return(0, 22)
HASH_STORE_BYTECODE = HexStr("0x" + _INIT + _RUNTIME)


def h(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


def setup(chain: Chain, version: int) -> tuple[AnchorContractClient, ChecksumAddress]:
    owner, anchorer = chain.dev_accounts()[:2]
    anchors = VERSIONS[version].deploy(chain, sender=owner)
    return anchors, anchorer


def anchor_gas_by_tree_size(chain: Chain, version: int) -> list[tuple[int, int]]:
    """Gas of one anchor per tree size, as one ledger grows from 1 to 1,000,000 entries."""
    anchors, anchorer = setup(chain, version)
    ledger = h("growing ledger")
    chain.wait(anchors.set_anchorer(ledger, anchorer, sender=chain.dev_accounts()[0]))
    rows = []
    for size in TREE_SIZES:
        outcome = chain.wait(anchors.anchor(ledger, size, h(f"root {size}"), sender=anchorer))
        rows.append((size, outcome.gas_used))
    return rows


def hash_store_gas(chain: Chain) -> dict[int, int]:
    """Gas to store N event hashes in one transaction, for the measurable N."""
    sender = chain.dev_accounts()[0]
    w3 = chain.w3
    deployed = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_transaction({"from": sender, "data": HASH_STORE_BYTECODE})
    )
    target = deployed["contractAddress"]
    if target is None:
        raise RuntimeError("the hash-store contract did not deploy")
    out = {}
    for n in MEASURED_BATCHES:
        data = b"".join(h(f"event {n} {i}") for i in range(n))
        tx = w3.eth.send_transaction(
            {"from": sender, "to": target, "data": data, "gas": 29_000_000}
        )
        out[n] = int(w3.eth.wait_for_transaction_receipt(tx)["gasUsed"])
    return out


def rate(chain: Chain, count: int, pipelined: bool, version: int) -> tuple[float, float]:
    """(anchors per second, mean seconds from send to first confirmation)."""
    anchors, anchorer = setup(chain, version)
    ledger = h(f"rate {pipelined}")
    chain.wait(anchors.set_anchorer(ledger, anchorer, sender=chain.dev_accounts()[0]))
    latencies: list[float] = []
    start = time.perf_counter()
    if pipelined:
        nonce = chain.next_nonce(anchorer)
        sent = [
            anchors.anchor(
                ledger,
                i + 1,
                h(f"r{i}"),
                sender=anchorer,
                options=TxOptions(nonce=nonce + i, gas=100_000, simulate=False),
            )
            for i in range(count)
        ]
        for tx in sent:
            chain.wait(tx)
    else:
        for i in range(count):
            t0 = time.perf_counter()
            chain.wait(anchors.anchor(ledger, i + 1, h(f"r{i}"), sender=anchorer))
            latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - start
    mean_latency = sum(latencies) / len(latencies) if latencies else float("nan")
    if pipelined:  # what a verifier pays to read them all back
        t0 = time.perf_counter()
        held = len(anchors.records(ledger))
        read = time.perf_counter() - t0
        print(f"    v{version}: read back {held} anchors in {read * 1000:.0f} ms")
    return count / elapsed, mean_latency


def report(label: str, make_chain: Callable[[], Chain], count: int) -> None:
    chain = make_chain()
    for version in sorted(VERSIONS):
        seq_rate, latency = rate(chain, count, pipelined=False, version=version)
        pipe_rate, _ = rate(chain, count, pipelined=True, version=version)
        print(
            f"{label + f' v{version}':<25} {seq_rate:8.1f} anchors/s one at a time "
            f"(send -> 1 confirmation {latency * 1000:.1f} ms), "
            f"{pipe_rate:8.1f} anchors/s pipelined with explicit nonces"
        )


def main() -> None:
    with AnvilNode() as url:
        chain = Chain.connect(url)
        print(f"node: {chain.w3.client_version}, chain id {chain.chain_id}")
        gas = {v: dict(anchor_gas_by_tree_size(chain, v)) for v in sorted(VERSIONS)}
        stored = hash_store_gas(chain)
        per_hash = (stored[MEASURED_BATCHES[-1]] - stored[MEASURED_BATCHES[-2]]) / (
            MEASURED_BATCHES[-1] - MEASURED_BATCHES[-2]
        )
        reference = TX_BASE + FRESH_SSTORE
        print()
        print(f"reference: one fresh SSTORE + transaction base = {reference:,} gas")
        print()
        print(
            f"{'entries':>10} {'v1 gas':>8} {'v2 gas':>8} {'v2/v1':>6} {'v2/target':>9} "
            f"{'all hashes, batched':>22} {'one tx per hash':>17}"
        )
        for size in TREE_SIZES:
            v1, v2 = gas[1][size], gas[2][size]
            if size in stored:
                naive, mark = stored[size], ""
            else:
                naive = stored[MEASURED_BATCHES[-1]] + int(per_hash * (size - MEASURED_BATCHES[-1]))
                mark = " est."
            one_by_one = size * stored[1]
            print(
                f"{size:>10,} {v1:>8,} {v2:>8,} {v2 / v1:>6.3f} {v2 / TARGET:>9.3f} "
                f"{naive:>17,}{mark:<5} {one_by_one:>17,}"
            )
        flat = max(gas[2].values()) - min(gas[2].values())
        print(
            f"v2: at most {max(gas[2].values()):,} gas per anchor (target {TARGET:,}), "
            f"{flat} gas apart from 1 to 1,000,000 entries; v1: {max(gas[1].values()):,}"
        )
        print(
            f"(every hash on chain: N hashes in one set-of-hashes contract, measured up to "
            f"{MEASURED_BATCHES[-1]:,} per transaction, {per_hash:,.0f} gas per extra hash; "
            "larger N extrapolated, and would need many blocks)"
        )
        print()
        report("anvil (HTTP, automine)", lambda: chain, 200)
    report("in-process (py-evm)", Chain.in_process, 50)


if __name__ == "__main__":
    main()
