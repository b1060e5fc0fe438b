"""The client of ``LedgerAnchorV2``: anchors as events, bound by one running commitment.

The contract keeps per ledger only the latest tree size and a 192-bit hash chain over every
anchor (see ``contracts/src/LedgerAnchorV2.sol``), so an anchor costs no fresh storage slot.
:meth:`LedgerAnchorV2Client.records` reads the ``Anchored`` events of a ledger up to one
block, re-chains them from the genesis commitment and compares the result with the
contract's ``head`` at that same block. A node that withheld, reordered or invented an
event cannot make them re-chain, so the records are as binding as v1's storage reads;
when they do not, :class:`AnchorEventsMismatch` says the node, not the ledger, failed.
"""

from __future__ import annotations

from functools import cached_property
from typing import cast

from eth_typing import ABIEvent, HexStr
from eth_utils.abi import event_abi_to_log_topic
from eth_utils.crypto import keccak
from web3.types import FilterParams

from ledger.anchoring.anchor_client import AnchorContractClient, AnchorRecord
from ledger.anchoring.artifacts import LEDGER_ANCHOR_V2
from ledger.anchoring.contract import ContractEvent, bytes32
from ledger.anchoring.errors import CouldNotCheck, TransactionRejected

#: Blocks of the first ``eth_getLogs`` request (most public nodes take this many), and the
#: widest span asked as spans grow: beyond it a node may time out rather than refuse.
LOG_CHUNK_BLOCKS = 10_000
MAX_LOG_SPAN = 1_000_000


class AnchorEventsMismatch(CouldNotCheck):
    """The events a node returned do not re-chain to the contract's commitment."""

    code = "anchor_events_mismatch"


def genesis(ledger_id: bytes) -> bytes:
    """c0: the commitment the contract writes when a ledger first gets an anchorer."""
    return keccak(bytes32(ledger_id, "ledger_id"))[:24]


def chained(commitment: bytes, tree_size: int, root: bytes) -> bytes:
    """The next commitment, as the contract computes it (``abi.encodePacked``)."""
    return keccak(commitment + tree_size.to_bytes(8, "big") + root)[:24]


class LedgerAnchorV2Client(AnchorContractClient):
    """``LedgerAnchorV2``: reads anchors from events and checks them against ``head``."""

    ARTIFACT = LEDGER_ANCHOR_V2
    VERSION = 2

    def version(self) -> int:
        """2; a v1 contract has no such function and reverts."""
        return int(self._call("version"))

    @cached_property
    def deployed_at(self) -> int:
        """The block the contract was deployed in: no event of it is older."""
        return int(self._call("deployedAt"))

    def head(self, ledger_id: bytes, *, block: int | None = None) -> tuple[int, bytes]:
        """(latest tree size, running commitment) of ``ledger_id``, at ``block`` if given."""
        size, commitment = self._call(
            "head", bytes32(ledger_id, "ledger_id"), block="latest" if block is None else block
        )
        return int(size), bytes(commitment)

    def latest_size(self, ledger_id: bytes) -> int:
        return self.head(ledger_id)[0]

    def records(self, ledger_id: bytes) -> list[AnchorRecord]:
        """Every anchor of ``ledger_id`` up to the current head, oldest first, re-chained."""
        at = self.chain.head()
        size, commitment = self.head(ledger_id, block=at)
        events = self._anchored(ledger_id, at)
        running = genesis(ledger_id)
        records: list[AnchorRecord] = []
        for index, event in enumerate(events):
            tree_size, root = int(event.args["treeSize"]), bytes(event.args["root"])
            running = chained(running, tree_size, root)
            records.append(AnchorRecord(index, tree_size, root, event.block_number, None))
        last = records[-1].tree_size if records else 0
        if commitment == bytes(24) and not records:
            return []  # the ledger never had an anchorer on this contract
        if running != commitment or last != size:
            raise AnchorEventsMismatch(
                f"the {len(records)} Anchored events the node returned for this ledger do "
                f"not re-chain to the commitment of contract {self.address} at block {at}: "
                "the node withheld or altered some, or a reorganisation came in between "
                "(try again, or ask another node)"
            )
        return records

    def _anchored(self, ledger_id: bytes, to_block: int) -> list[ContractEvent]:
        """The ledger's ``Anchored`` events up to ``to_block``, in chain order.

        Read from the deployment block in spans that double after each answer (up to
        :data:`MAX_LOG_SPAN`) and halve when the node refuses one as too wide (public nodes
        cap ranges or result counts): a node that allows wide ranges answers a long chain
        in a few requests, a strict one in as many as it needs, both the same events.
        """
        topic = "0x" + self._anchored_topic.hex()
        wanted = "0x" + bytes32(ledger_id, "ledger_id").hex()
        found: list[ContractEvent] = []
        start, span = self.deployed_at, LOG_CHUNK_BLOCKS
        while start <= to_block:
            end = min(to_block, start + span - 1)
            params: FilterParams = {
                "address": self.address,
                "topics": [HexStr(topic), HexStr(wanted)],
                "fromBlock": start,
                "toBlock": end,
            }
            try:
                with self.chain.translating():
                    logs = self.chain.w3.eth.get_logs(params)
            except TransactionRejected:
                if end == start:
                    raise  # one block refused: not a matter of width
                span = max(1, (end - start + 1) // 2)
                continue
            found += [e for log in logs if (e := self._decode(log)) is not None]
            start, span = end + 1, min(MAX_LOG_SPAN, span * 2)
        ours = bytes32(ledger_id, "ledger_id")
        found = [e for e in found if e.name == "Anchored" and bytes(e.args["ledgerId"]) == ours]
        return sorted(found, key=lambda e: (e.block_number, e.log_index))

    @cached_property
    def _anchored_topic(self) -> bytes:
        [event] = [i for i in self.artifact.abi if i["type"] == "event" and i["name"] == "Anchored"]
        return bytes(event_abi_to_log_topic(cast(ABIEvent, event)))
