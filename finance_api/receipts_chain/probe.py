"""What the node already knows about a receipt operation, asked before and after a send.

:class:`RegistryProbe` answers the questions idempotence and nonce handling need from the
chain, and nothing else: is this operation's effect already on chain (sent by a run that
stopped before recording it)? which nonce may it take? is an earlier transaction on the
same receipt still unmined? does the node still hold a transaction? The service keeps the
database side; this keeps the chain side, so each stays small.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, cast

from eth_typing import ABIEvent
from eth_utils.abi import event_abi_to_log_topic
from eth_utils.address import to_checksum_address
from hexbytes import HexBytes
from web3.exceptions import TransactionNotFound
from web3.types import FilterParams

from finance_api.receipts_chain.client import ReceiptRegistryClient
from finance_api.receipts_chain.store import OpKind, ReceiptOp
from ledger.anchoring.chain import Chain, Sender, TxOptions
from ledger.anchoring.errors import BadChainInput, TransactionReverted

_EVENTS = {
    OpKind.REGISTER: "ReceiptRegistered",
    OpKind.PLEDGE: "ReceiptPledged",
    OpKind.RELEASE: "ReceiptReleased",
    OpKind.CANCEL: "ReceiptCancelled",
}


class RegistryProbe:
    """Chain-side questions about receipt operations on one registry contract."""

    def __init__(self, chain: Chain, client: ReceiptRegistryClient) -> None:
        self.chain = chain
        self.client = client
        self._topics = {
            str(item["name"]): bytes(event_abi_to_log_topic(cast(ABIEvent, item)))
            for item in client.artifact.abi
            if item["type"] == "event"
        }

    def send(self, row: ReceiptOp, signer: Sender, options: TxOptions) -> bytes:
        """Sends the contract call ``row`` stands for; returns the transaction hash."""
        doc = row.document_hash
        if row.kind is OpKind.RELEASE:
            return self.client.release(doc, sender=signer, options=options)
        if row.kind is OpKind.CANCEL:
            return self.client.cancel(doc, sender=signer, options=options)
        if row.counterparty is None:
            raise BadChainInput(f"op {row.op_id} has no counterparty", field="counterparty")
        if row.kind is OpKind.REGISTER:
            return self.client.register(doc, row.counterparty, sender=signer, options=options)
        return self.client.pledge(doc, row.counterparty, sender=signer, options=options)

    def effect(
        self, row: ReceiptOp, *, claimed: set[bytes], window: int
    ) -> tuple[bytes, int, bytes] | None:
        """The newest canonical event of this operation whose transaction is not ``claimed``.

        Every receipt event indexes the document hash, the account that sent it and (for
        register and pledge) the counterparty, so the node filters on exactly those.
        Returns the transaction hash, block number and block hash.
        """
        parties = [row.sender] + ([row.counterparty] if row.counterparty else [])
        topics = [self._topics[_EVENTS[row.kind]], row.document_hash]
        topics += [bytes(12) + bytes.fromhex(p[2:]) for p in parties]
        head = self.chain.head()
        params: FilterParams = {
            "address": self.client.address,
            "fromBlock": max(0, head - window),
            "toBlock": head,
            "topics": ["0x" + t.hex() for t in topics],
        }
        with self.chain.translating():
            logs = self.chain.w3.eth.get_logs(params)
        for entry in reversed(logs):
            tx_hash = bytes(entry["transactionHash"])
            if tx_hash not in claimed and not entry.get("removed", False):
                return tx_hash, int(entry["blockNumber"]), bytes(entry["blockHash"])
        return None

    def nonce_of(self, tx_hash: bytes) -> int:
        with self.chain.translating():
            return int(self.chain.w3.eth.get_transaction(HexBytes(tx_hash))["nonce"])

    def nonce_for(self, row: ReceiptOp, *, reserved: int | None) -> int | None:
        """The nonce to send ``row`` with, or None while an earlier send may be in the pool.

        An attempt that already reserved a nonce keeps it unless something else mined it;
        otherwise one past the highest of the node's pending count and ``reserved`` (the
        highest nonce our other unmined attempts of that sender hold).
        """
        if row.nonce is not None and row.nonce >= self._count(row.sender, "latest"):
            return None if row.nonce < self._count(row.sender, "pending") else row.nonce
        nonce = self.chain.next_nonce(row.sender)
        return nonce if reserved is None else max(nonce, reserved + 1)

    def _count(self, account: str, block: Literal["latest", "pending"]) -> int:
        checksum = to_checksum_address(account)
        with self.chain.translating():
            return int(self.chain.w3.eth.get_transaction_count(checksum, block))

    def any_unmined(self, tx_hashes: Iterable[bytes]) -> bool:
        """Whether any of ``tx_hashes`` is not in a canonical block yet (a revert counts
        as mined: its outcome is known)."""
        for tx_hash in tx_hashes:
            try:
                if self.chain.receipt(tx_hash) is None:
                    return True
            except TransactionReverted:
                continue
        return False

    def still_known(self, tx_hash: bytes) -> bool:
        """Whether the node still holds ``tx_hash`` (in its pool or a block)."""
        with self.chain.translating():
            try:
                self.chain.w3.eth.get_transaction(HexBytes(tx_hash))
            except TransactionNotFound:
                return False
        return True
