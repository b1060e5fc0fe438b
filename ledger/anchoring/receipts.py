"""Mirrors warehouse receipts on the shared registry: the finance service's hook.

Every call (register, pledge, release, cancel) is an *operation* named by the caller's
``op_id`` (the ledger event id, say) and recorded in ``chain_receipt_ops`` before anything
is sent, so a node that is down or slow loses nothing: the operation stays queued and
:meth:`ReceiptChainService.flush` (or :meth:`~ReceiptChainService.poll`) sends it later.

The same ``op_id`` twice sends nothing new. Before any send, the registry's events are
searched for the operation's effect sent by a run that stopped before recording it; one
found (and not already claimed by another operation) is adopted instead of re-sent.
Nonces are chosen here, one past the highest nonce in flight, so operations in flight
never collide. ``poll`` confirms operations ``confirmations`` deep, and when a
reorganisation drops an operation's block (and the node no longer holds its transaction)
marks that attempt orphaned and sends the operation again as a new attempt. A contract
refusal (the double pledge: ``AlreadyPledged``) is recorded as failed with the decoded
error and raised as that typed :class:`~ledger.errors.LedgerError`. One instance
serialises its own calls; run one such service per database.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from eth_utils.address import to_checksum_address

from ledger.anchoring.chain import Chain, Sender, TxOptions
from ledger.anchoring.contract import ReceiptRegistryClient, address, bytes32
from ledger.anchoring.errors import (
    BadChainInput,
    ChainError,
    ChainUnavailable,
    TransactionReverted,
)
from ledger.anchoring.receipts_probe import RegistryProbe
from ledger.anchoring.receipts_store import (
    OpKind,
    OpStatus,
    ReceiptOp,
    add_attempt,
    all_ops,
    attempts_of,
    claimed_tx_hashes,
    highest_reserved_nonce,
    live_ops,
    mark_sent,
    note_error,
    op_by_row_id,
    reopen,
    reserve_nonce,
    set_block,
    settle,
)
from ledger.core.clock import Clock
from ledger.core.errors import Conflict, NotFound
from ledger.storage.db import Engines

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReceiptChainSettings:
    """How deep is confirmed, how long a reorganisation is watched for, gas per call."""

    confirmations: int = 3
    finality_depth: int = 64
    adopt_window_blocks: int = 10_000
    gas: int = 200_000

    def __post_init__(self) -> None:
        for name in ("confirmations", "finality_depth", "adopt_window_blocks"):
            if getattr(self, name) < 1:
                raise BadChainInput(f"{name} must be at least 1", field=name)
        if self.gas < 21_000:
            raise BadChainInput("gas must be at least 21000", field="gas")


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
    """Receipt operations on one registry contract, recorded in one database."""

    def __init__(
        self,
        engines: Engines,
        chain: Chain,
        client: ReceiptRegistryClient,
        *,
        clock: Clock,
        settings: ReceiptChainSettings | None = None,
        signers: Iterable[Sender] = (),
    ) -> None:
        self.engines = engines
        self.chain = chain
        self.client = client
        self.clock = clock
        self.settings = settings or ReceiptChainSettings()
        self._signers: dict[str, Sender] = {}
        for signer in signers:
            self.add_signer(signer)
        self.probe = RegistryProbe(chain, client)
        self._chain_id: int | None = None
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
            with self.engines.read.connect() as connection:
                attempts = attempts_of(connection, op_id)
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
                    return self._send_or_queue(self._reattempt(latest))
                return self._send_or_queue(latest) if latest.queued else latest
            with self.engines.write.begin() as connection:
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
            self._send(row)
        except TransactionReverted as exc:
            self._fail(row, exc)
            raise
        except ChainError as exc:
            self._note(row, exc)
        return self._load(row.id)

    # -- reading ---------------------------------------------------------------------------
    def op(self, op_id: str) -> ReceiptOp:
        """The latest attempt of ``op_id``; NotFound if it was never submitted."""
        attempts = self.attempts(op_id)
        if not attempts:
            raise NotFound(f"no receipt operation {op_id!r}", field="op_id")
        return attempts[-1]

    def attempts(self, op_id: str) -> list[ReceiptOp]:
        """Every attempt of ``op_id``, first first (orphaned ones before their re-send)."""
        with self.engines.read.connect() as connection:
            return attempts_of(connection, op_id)

    def ops(self) -> list[ReceiptOp]:
        """Every attempt of every operation, oldest first."""
        with self.engines.read.connect() as connection:
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
            return tuple(self._flush()[0])

    def _flush(self) -> tuple[list[ReceiptOp], list[str], ChainUnavailable | None]:
        sent: list[ReceiptOp] = []
        failed: list[str] = []
        down: ChainUnavailable | None = None
        with self.engines.read.connect() as connection:
            queued = [r for r in live_ops(connection) if r.queued]
        for row in queued:
            if row.sender not in self._signers:
                self._note(row, ChainError(f"no signer for {row.sender}; add_signer() it"))
                continue
            try:
                self._send(row)
            except TransactionReverted as exc:
                self._fail(row, exc)
                failed.append(row.op_id)
                continue
            except ChainUnavailable as exc:
                self._note(row, exc)
                down = exc
                break
            except ChainError as exc:
                self._note(row, exc)
                continue
            now = self._load(row.id)
            if not now.queued:
                sent.append(now)
        return sent, failed, down

    def _send(self, row: ReceiptOp) -> None:
        """Adopts the operation's effect if already on chain, else sends it once."""
        signer = self._signers[row.sender]
        chain_id = self._chain_id_now()
        with self.engines.read.connect() as connection:
            claimed = claimed_tx_hashes(connection)
            reserved = highest_reserved_nonce(connection, row.sender, besides=row.id)
        found = self.probe.effect(row, claimed=claimed, window=self.settings.adopt_window_blocks)
        if found is not None:
            tx_hash, number, block = found
            used = self.probe.nonce_of(tx_hash)
            with self.engines.write.begin() as connection:
                mark_sent(
                    connection,
                    row.id,
                    tx_hash=tx_hash,
                    nonce=used,
                    chain_id=chain_id,
                    block_number=number,
                    block_hash=block,
                )
            log.warning("op %s adopted tx 0x%s found on chain", row.op_id, tx_hash.hex())
            return
        nonce = self.probe.nonce_for(row, reserved=reserved)
        if nonce is None:
            raise ChainError(f"op {row.op_id}: an earlier send may still be in the node's pool")
        simulate = not self._in_flight(row)
        with self.engines.write.begin() as connection:
            reserve_nonce(connection, row.id, nonce, chain_id)
        options = TxOptions(nonce=nonce, gas=self.settings.gas, simulate=simulate)
        tx_hash = self.probe.send(row, signer, options)
        with self.engines.write.begin() as connection:
            mark_sent(connection, row.id, tx_hash=tx_hash, nonce=nonce, chain_id=chain_id)
        log.info("op %s (%s) sent: tx 0x%s, nonce %d", row.op_id, row.kind, tx_hash.hex(), nonce)

    def _chain_id_now(self) -> int:
        if self._chain_id is None:
            self._chain_id = self.chain.chain_id
        return self._chain_id

    def _in_flight(self, row: ReceiptOp) -> bool:
        """Whether a sent, unmined operation on the same receipt could change its outcome.

        Then a dry run against the current state could misjudge, so none is made and the
        chain's own verdict is read back by :meth:`poll`.
        """
        with self.engines.read.connect() as connection:
            others = [
                r.tx_hash
                for r in live_ops(connection)
                if r.id != row.id
                and r.document_hash == row.document_hash
                and r.status is OpStatus.PENDING
                and r.block_hash is None
            ]
        return self.probe.any_unmined(t for t in others if t is not None)

    # -- settling --------------------------------------------------------------------------
    def poll(self) -> ReceiptPollResult:
        """Settles sent operations, re-sends orphaned ones, then flushes the queue.

        Raises :class:`~ledger.anchoring.errors.ChainUnavailable` when the node is down,
        queued operations or not (nothing is lost: the next poll picks up where this one
        stopped), so a background loop can log the delay.
        """
        with self._lock:
            with self.engines.read.connect() as connection:
                rows = [r for r in live_ops(connection) if r.tx_hash is not None]
            head = self.chain.head() if rows else 0
            confirmed: list[str] = []
            orphaned: list[str] = []
            failed: list[str] = []
            for row in rows:
                if self._final(row, head):
                    continue
                state = self._settle(row)
                if state is OpStatus.CONFIRMED and row.status is OpStatus.PENDING:
                    confirmed.append(row.op_id)
                elif state is OpStatus.ORPHANED:
                    orphaned.append(row.op_id)
                    self._reattempt(row)
                elif state is OpStatus.FAILED:
                    failed.append(row.op_id)
            sent, refused, down = self._flush()
            if down is not None:
                raise down
            with self.engines.read.connect() as connection:
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

    def _final(self, row: ReceiptOp, head: int) -> bool:
        """A confirmed operation deeper than ``finality_depth`` is no longer re-checked."""
        if row.status is not OpStatus.CONFIRMED or row.block_number is None:
            return False
        return head - row.block_number + 1 > self.settings.finality_depth

    def _settle(self, row: ReceiptOp) -> OpStatus:
        assert row.tx_hash is not None
        try:
            outcome = self.chain.receipt(row.tx_hash)
        except TransactionReverted as exc:
            self._fail(row, exc)
            return OpStatus.FAILED
        if outcome is None:
            if not self.probe.still_known(row.tx_hash):
                with self.engines.write.begin() as connection:
                    settle(connection, row.id, OpStatus.ORPHANED, self.clock.now())
                log.warning("op %s orphaned (tx 0x%s)", row.op_id, row.tx_hash.hex())
                return OpStatus.ORPHANED
            if row.block_hash is not None:  # its block is gone; the pool will mine it again
                with self.engines.write.begin() as connection:
                    reopen(connection, row.id)
            return OpStatus.PENDING
        deep = outcome.confirmations >= self.settings.confirmations
        with self.engines.write.begin() as connection:
            if outcome.block_hash != row.block_hash:
                set_block(connection, row.id, outcome.block_number, outcome.block_hash)
                if row.status is OpStatus.CONFIRMED and not deep:
                    reopen(connection, row.id)
                    set_block(connection, row.id, outcome.block_number, outcome.block_hash)
                    return OpStatus.PENDING
            if row.status is OpStatus.PENDING and deep:
                settle(connection, row.id, OpStatus.CONFIRMED, self.clock.now())
                return OpStatus.CONFIRMED
        return row.status

    def _reattempt(self, row: ReceiptOp) -> ReceiptOp:
        with self.engines.write.begin() as connection:
            row_id = add_attempt(
                connection,
                op_id=row.op_id,
                attempt=row.attempt + 1,
                kind=row.kind,
                receipt_id=row.receipt_id,
                document_hash=row.document_hash,
                sender=row.sender,
                counterparty=row.counterparty,
                contract=row.contract,
                created_at=self.clock.now(),
            )
            return op_by_row_id(connection, row_id)

    def _fail(self, row: ReceiptOp, exc: TransactionReverted) -> None:
        with self.engines.write.begin() as connection:
            settle(
                connection,
                row.id,
                OpStatus.FAILED,
                self.clock.now(),
                error=str(exc),
                error_data=exc.data or None,
            )
        log.warning("op %s (%s) refused by the chain: %s", row.op_id, row.kind, exc)

    def _note(self, row: ReceiptOp, exc: ChainError) -> None:
        with self.engines.write.begin() as connection:
            note_error(connection, row.id, str(exc))
        log.warning("op %s (%s) queued: %s", row.op_id, row.kind, exc)

    def _load(self, row_id: int) -> ReceiptOp:
        with self.engines.read.connect() as connection:
            return op_by_row_id(connection, row_id)
