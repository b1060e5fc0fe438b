"""Mirrors warehouse receipts on the shared registry: the finance service's hook.

Every call (register, pledge, release, cancel) is an *operation* named by the caller's
``op_id`` (the ledger event id, say) and recorded in ``chain_receipt_ops`` before anything
is sent, so a node that is down or slow loses nothing: the operation stays queued and
:meth:`ReceiptChainService.flush` (or :meth:`~ReceiptChainService.poll`) sends it later.

The same ``op_id`` twice sends nothing new. Sending (:mod:`.sender`) adopts an effect
already on chain rather than sending it twice, and gives operations in flight consecutive
nonces; settling (:mod:`.settler`) confirms operations ``confirmations`` deep and, when a
reorganisation drops an operation for good, marks that attempt orphaned so it is sent
again as a new attempt. A contract refusal (the double pledge: ``AlreadyPledged``) is
recorded as failed with the decoded error and raised as that typed error, which is also
the finance domain's (:mod:`finance_api.receipts_chain.errors`). The service reads and
writes only through the :class:`~ledger.log.Ledger` (see :mod:`.journal`). One instance
serialises its own calls; run one such service per database.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from eth_utils.address import to_checksum_address

from finance_api.receipts_chain.client import ReceiptRegistryClient
from finance_api.receipts_chain.journal import OpJournal
from finance_api.receipts_chain.probe import RegistryProbe
from finance_api.receipts_chain.sender import OpSender
from finance_api.receipts_chain.settings import ReceiptChainSettings
from finance_api.receipts_chain.settler import OpSettler
from finance_api.receipts_chain.store import (
    OpKind,
    OpStatus,
    ReceiptOp,
    add_attempt,
    all_ops,
    attempts_of,
    live_ops,
    op_by_row_id,
)
from ledger.anchoring.chain import Chain, Sender
from ledger.anchoring.contract import address, bytes32
from ledger.anchoring.errors import BadChainInput, ChainError, TransactionReverted
from ledger.core.clock import Clock
from ledger.core.errors import Conflict, NotFound
from ledger.log import Ledger

__all__ = ["ReceiptChainService", "ReceiptChainSettings", "ReceiptPollResult"]


@dataclass(frozen=True, slots=True)
class ReceiptPollResult:
    """What one :meth:`ReceiptChainService.poll` changed, by op id."""

    confirmed: tuple[str, ...] = ()
    orphaned: tuple[str, ...] = ()
    resent: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    sent: tuple[str, ...] = ()
    pending: int = 0
    queued: int = 0


def _address_of(signer: Sender) -> str:
    return to_checksum_address(signer if isinstance(signer, str) else signer.address)


def _key(value: str, what: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 200:
        raise BadChainInput(f"{what} must be a string of 1 to 200 characters", field=what)
    return value


class ReceiptChainService:
    """Receipt operations on one registry contract, recorded in one ledger's database.

    ``clock`` stamps the rows (the ledger's own clock unless given); ``signers`` are the
    keys queued operations may be sent with (more with :meth:`add_signer`).
    """

    def __init__(
        self,
        ledger: Ledger,
        chain: Chain,
        client: ReceiptRegistryClient,
        *,
        clock: Clock | None = None,
        settings: ReceiptChainSettings | None = None,
        signers: Iterable[Sender] = (),
    ) -> None:
        self.ledger = ledger
        self.chain = chain
        self.client = client
        self.clock = clock or ledger.clock
        self.settings = settings or ReceiptChainSettings()
        self._signers: dict[str, Sender] = {}
        for signer in signers:
            self.add_signer(signer)
        self.probe = RegistryProbe(chain, client)
        self._journal = OpJournal(ledger, self.clock)
        self._sender = OpSender(self._journal, chain, self.probe, self.settings)
        self._settler = OpSettler(self._journal, chain, self.probe, self.settings)
        self._lock = threading.RLock()

    def add_signer(self, signer: Sender) -> str:
        """Makes ``signer`` available to send queued operations; returns its address."""
        account = _address_of(signer)
        self._signers[account] = signer
        return account

    # -- operations ------------------------------------------------------------------------
    def register(
        self, op_id: str, receipt_id: str, document_hash: bytes, *, warehouse: Sender, holder: str
    ) -> ReceiptOp:
        """The admitted ``warehouse`` registers the receipt for ``holder``."""
        holder = address(holder, "holder")
        return self._submit(op_id, OpKind.REGISTER, receipt_id, document_hash, warehouse, holder)

    def pledge(
        self, op_id: str, receipt_id: str, document_hash: bytes, *, holder: Sender, lender: str
    ) -> ReceiptOp:
        """The ``holder`` pledges the receipt to ``lender``; a second pledge is refused."""
        lender = address(lender, "lender")
        return self._submit(op_id, OpKind.PLEDGE, receipt_id, document_hash, holder, lender)

    def release(
        self, op_id: str, receipt_id: str, document_hash: bytes, *, lender: Sender
    ) -> ReceiptOp:
        """The ``lender`` holding the pledge releases it."""
        return self._submit(op_id, OpKind.RELEASE, receipt_id, document_hash, lender, None)

    def cancel(
        self, op_id: str, receipt_id: str, document_hash: bytes, *, warehouse: Sender
    ) -> ReceiptOp:
        """The issuing ``warehouse`` cancels an unpledged receipt."""
        return self._submit(op_id, OpKind.CANCEL, receipt_id, document_hash, warehouse, None)

    def _submit(
        self,
        op_id: str,
        kind: OpKind,
        receipt_id: str,
        document_hash: bytes,
        signer: Sender,
        counterparty: str | None,
    ) -> ReceiptOp:
        op_id, receipt_id = _key(op_id, "op_id"), _key(receipt_id, "receipt_id")
        document_hash = bytes32(document_hash, "document_hash")
        sender = self.add_signer(signer)
        with self._lock:
            attempts = self.attempts(op_id)
            if attempts:
                latest = attempts[-1]
                asked = (kind, receipt_id, document_hash, sender, counterparty)
                known = (
                    latest.kind,
                    latest.receipt_id,
                    latest.document_hash,
                    latest.sender,
                    latest.counterparty,
                )
                if asked != known:
                    raise Conflict(
                        f"op {op_id!r} was already used for another {latest.kind} request",
                        field="op_id",
                    )
                if latest.status is OpStatus.FAILED:
                    raise self.error_of(latest)
                if latest.status is OpStatus.ORPHANED:
                    return self._send_or_queue(self._journal.reattempt(latest))
                return self._send_or_queue(latest) if latest.queued else latest
            with self._journal.writing() as connection:
                row_id = add_attempt(
                    connection,
                    op_id=op_id,
                    attempt=1,
                    kind=kind,
                    receipt_id=receipt_id,
                    document_hash=document_hash,
                    sender=sender,
                    counterparty=counterparty,
                    contract=self.client.address,
                    created_at=self.clock.now(),
                )
                row = op_by_row_id(connection, row_id)
            return self._send_or_queue(row)

    def _send_or_queue(self, row: ReceiptOp) -> ReceiptOp:
        try:
            self._sender.send(row, self._signers[row.sender])
        except TransactionReverted as exc:
            self._journal.fail(row, exc)
            raise
        except ChainError as exc:
            self._journal.note(row, exc)
        return self._journal.load(row.id)

    # -- reading ---------------------------------------------------------------------------
    def op(self, op_id: str) -> ReceiptOp:
        """The latest attempt of ``op_id``; NotFound if it was never submitted."""
        attempts = self.attempts(op_id)
        if not attempts:
            raise NotFound(f"no receipt operation {op_id!r}", field="op_id")
        return attempts[-1]

    def attempts(self, op_id: str) -> list[ReceiptOp]:
        """Every attempt of ``op_id``, first first (orphaned ones before their re-send)."""
        with self.ledger.reading() as connection:
            return attempts_of(connection, op_id)

    def ops(self) -> list[ReceiptOp]:
        """Every attempt of every operation, oldest first."""
        with self.ledger.reading() as connection:
            return all_ops(connection)

    def check(self, op_id: str) -> ReceiptOp:
        """The latest attempt of ``op_id``, raising its typed error if the chain refused it."""
        latest = self.op(op_id)
        if latest.status is OpStatus.FAILED:
            raise self.error_of(latest)
        return latest

    def error_of(self, row: ReceiptOp) -> ChainError:
        """The typed error a failed attempt was refused with, decoded again from its data."""
        if row.error_data:
            return self.chain.decoder.exception(row.error_data)
        return TransactionReverted(row.error or "the chain refused the operation")

    # -- sending ---------------------------------------------------------------------------
    def flush(self) -> tuple[ReceiptOp, ...]:
        """Sends queued operations, oldest first; returns those now sent (or adopted).

        A node that is down stops the flush (what is left stays queued); a refusal is
        recorded as failed and the flush goes on. Nothing is raised.
        """
        with self._lock:
            return tuple(self._sender.flush(self._signers)[0])

    # -- settling --------------------------------------------------------------------------
    def poll(self) -> ReceiptPollResult:
        """Settles sent operations, re-sends orphaned ones, then flushes the queue.

        Raises :class:`~ledger.anchoring.errors.ChainUnavailable` when the node is down,
        queued operations or not (nothing is lost: the next poll picks up where this one
        stopped), so a background loop can log the delay.
        """
        with self._lock:
            with self.ledger.reading() as connection:
                rows = [r for r in live_ops(connection) if r.tx_hash is not None]
            head = self.chain.head() if rows else 0
            confirmed: list[str] = []
            orphaned: list[str] = []
            failed: list[str] = []
            for row in rows:
                if self._settler.final(row, head):
                    continue
                state = self._settler.settle(row)
                if state is OpStatus.CONFIRMED and row.status is OpStatus.PENDING:
                    confirmed.append(row.op_id)
                elif state is OpStatus.ORPHANED:
                    orphaned.append(row.op_id)
                    self._journal.reattempt(row)
                elif state is OpStatus.FAILED:
                    failed.append(row.op_id)
            sent, refused, down = self._sender.flush(self._signers)
            if down is not None:
                raise down
            with self.ledger.reading() as connection:
                live = live_ops(connection)
        sent_ids = tuple(r.op_id for r in sent)
        return ReceiptPollResult(
            confirmed=tuple(confirmed),
            orphaned=tuple(orphaned),
            resent=tuple(i for i in sent_ids if i in orphaned),
            failed=tuple(failed + refused),
            sent=sent_ids,
            pending=sum(r.status is OpStatus.PENDING and not r.queued for r in live),
            queued=sum(r.queued for r in live),
        )
