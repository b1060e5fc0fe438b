"""Node controls the anchoring tests drive anvil with: raw RPC, automine, the fee floor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from web3.types import RPCEndpoint

from ledger.anchoring import Chain, ChainUnavailable
from ledger.anchoring.devnode import AnvilNode
from tests.chain.conftest import unavailable

EMPTY_BLOCKS = 300  # 1 gwei falls by 1/8 per empty block: at its floor well before this


def rpc(chain: Chain, method: str, *params: Any) -> Any:
    return chain.w3.manager.request_blocking(RPCEndpoint(method), list(params))


@contextmanager
def automine_off(chain: Chain) -> Iterator[None]:
    rpc(chain, "evm_setAutomine", False)
    try:
        yield
    finally:
        rpc(chain, "evm_setAutomine", True)


def raw_transaction(chain: Chain, tx_hash: bytes) -> str:
    return str(rpc(chain, "eth_getRawTransactionByHash", "0x" + tx_hash.hex()))


def base_fee(chain: Chain) -> int:
    return int(chain.w3.eth.get_block("latest")["baseFeePerGas"])


@contextmanager
def floor_node() -> Iterator[str]:
    """A node of its own, its base fee brought to the floor by empty blocks (anvil_mine).

    Hundreds of empty blocks would bring the shared node's base fee to its floor for every
    test after them, so the fee-floor tests get this node instead.
    """
    node = AnvilNode()
    try:
        url = node.start()
    except ChainUnavailable as exc:
        unavailable(f"{exc}; run `make contracts` (npm ci in contracts/)")
        raise
    try:
        chain = Chain.connect(url)
        chain.mine(EMPTY_BLOCKS)
        floor = base_fee(chain)
        chain.mine(1)
        assert base_fee(chain) == floor  # at the floor: empty blocks lower it no more
        yield url
    finally:
        node.stop()
