"""Receipt acts that the ledger and the shared registry both accept, or neither does.

Order, for one batch of receipt events (each step refusing stops the act):

1. **The ledger judges first**: the batch is appended in a unit of work that is rolled
   back (a dry run), so a refusal by the ``finance.receipts`` projection answers at once
   and nothing is sent on chain. The same run reads the document hash of each receipt.
2. **The chain judges next**: each operation is sent with the participant's key and
   waited for until mined; a revert (``AlreadyPledged``: another deployment sharing the
   contract holds the pledge) is refused as that finance error, naming the field. A node
   that is down answers 503; the queued operation is abandoned (never sent later by a
   flush), so nothing is written anywhere.
3. **Then the ledger commits** the batch for real. Should it refuse now (the projection
   moved between 1 and 3), the operations already mined are undone (a pledge released,
   a release pledged again) and the ledger's refusal is answered.

Registrations are not undone: a document hash registers once, ever, so undoing would
burn it; a registration that matches the warehouse and holder is adopted instead (the same
receipt known to two deployments). Cancellations are sent last since they cannot be
undone. Acts are serialised in this process so steps 1 and 3 see the same registry acts
of this deployment; across deployments the chain is the arbiter. A retry of the same
signed event converges: its operations are found by their op id and not sent twice (one
the chain refused is asked again, of the chain as it stands then).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from sqlalchemy import select

from finance_api.domain import errors as domain
from finance_api.receipts.tables import ReceiptRow
from finance_api.receipts_chain.client import ReceiptRecord, ReceiptStatus
from finance_api.receipts_chain.errors import UnknownReceipt
from finance_api.receipts_chain.keys import ChainKeys
from finance_api.receipts_chain.plan import CHAIN_TYPES, PlannedOp, ReceiptFacts, plan
from finance_api.receipts_chain.repaid import released_by_repayment
from finance_api.receipts_chain.service import ReceiptChainService
from finance_api.receipts_chain.store import OpKind, OpStatus, ReceiptOp, settle
from ledger.anchoring.errors import ChainUnavailable, TransactionReverted
from ledger.core.entry import Appended
from ledger.core.errors import LedgerError
from ledger.core.events import Event
from ledger.log import Ledger
from ledger.storage.batches import Prepared

log = logging.getLogger(__name__)


class RegistryGate:
    """Appends receipt acts so that the ledger and the registry contract agree."""

    def __init__(
        self, service: ReceiptChainService, keys: ChainKeys, *, wait_timeout: float = 30.0
    ) -> None:
        self.service = service
        self.keys = keys
        self.wait_timeout = wait_timeout
        self._lock = threading.Lock()

    def append(self, ledger: Ledger, events: Sequence[Event], *, batch: bool) -> list[Appended]:
        """Appends ``events`` once the registry accepted their operations (see module)."""
        prepared = ledger.prepare(events)
        if not any(event.type in CHAIN_TYPES for event in events):
            with ledger.unit_of_work() as uow:
                entries = uow.append(prepared)
                freed = released_by_repayment(uow.connection, entries)
                uow.commit()
            self._release(freed)
            return entries
        with self._lock:
            ops = self._judge(ledger, prepared, batch)
            done: list[PlannedOp] = []
            try:
                for op in ops:
                    if self._run(op):
                        done.append(op)
                with ledger.unit_of_work() as uow:
                    entries = uow.append(prepared)
                    freed = released_by_repayment(uow.connection, entries)
                    uow.commit()
            except LedgerError:
                self._undo(done)
                raise
        self._release(freed)
        return entries

    # -- 1. the ledger's judgement, rolled back ------------------------------------------
    def _judge(self, ledger: Ledger, prepared: Prepared, batch: bool) -> list[PlannedOp]:
        with ledger.unit_of_work() as uow:
            entries = uow.append(prepared)
            fresh = [e.event for e in entries if not e.replayed]
            ids = {str(e.payload["receipt_id"]) for e in fresh if e.type in CHAIN_TYPES}
            rows = uow.connection.execute(
                select(
                    ReceiptRow.receipt_id,
                    ReceiptRow.document_hash,
                    ReceiptRow.warehouse_id,
                    ReceiptRow.holder,
                ).where(ReceiptRow.receipt_id.in_(ids))
            ).all()
            uow.rollback()
        facts = {
            r.receipt_id: ReceiptFacts(bytes.fromhex(r.document_hash), r.warehouse_id, r.holder)
            for r in rows
        }
        return plan(fresh, facts, batch=batch)

    # -- 2. the chain's judgement ----------------------------------------------------------
    def _record(self, op: PlannedOp) -> ReceiptRecord | None:
        try:
            return self.service.client.get(op.facts.document_hash)
        except UnknownReceipt:
            return None

    def _run(self, op: PlannedOp) -> bool:
        """Sends ``op`` unless the chain already agrees; True if it changed the chain."""
        try:
            record = self._record(op)
            if op.kind is OpKind.REGISTER:
                return self._register(op, record)
            if op.kind is OpKind.PLEDGE:
                if record is None:  # issued before the registry was on: register it now
                    self._register(op, None)
                holder = self.keys.signer(op.signer, op.field)
                lender = self.keys.address(op.counterparty or "", "payload.lender")
                self._wait(
                    self.service.pledge(
                        self._fresh(op.op_id),
                        op.receipt_id,
                        op.facts.document_hash,
                        holder=holder,
                        lender=lender,
                    )
                )
                return True
            if record is None:
                return False  # never on chain: nothing there to disagree with
            if op.kind is OpKind.RELEASE and record.pledgee is None:
                return False
            if op.kind is OpKind.CANCEL and record.status is ReceiptStatus.CANCELLED:
                return False
            signer = self.keys.signer(op.signer, op.field)
            doc = op.facts.document_hash
            if op.kind is OpKind.RELEASE:
                sent = self.service.release(
                    self._fresh(op.op_id), op.receipt_id, doc, lender=signer
                )
            else:
                sent = self.service.cancel(
                    self._fresh(op.op_id), op.receipt_id, doc, warehouse=signer
                )
            self._wait(sent)
            return True
        except LedgerError as exc:
            if exc.field is None:
                exc.field = op.field
            raise

    def _register(self, op: PlannedOp, record: ReceiptRecord | None) -> bool:
        warehouse = self.keys.signer(op.facts.warehouse_id, op.field)
        holder = self.keys.address(op.facts.holder, op.field)
        if record is not None:
            if (
                record.warehouse == warehouse.address
                and record.holder == holder
                and record.status is not ReceiptStatus.CANCELLED
            ):
                return False  # the same receipt, registered through another deployment
            raise domain.AlreadyRegistered(
                "the registry holds another receipt (or a cancelled one) for that document",
                field=op.field,
            )
        doc = op.facts.document_hash
        op_id = op.op_id if op.kind is OpKind.REGISTER else f"{op.op_id}:register"
        self._wait(
            self.service.register(
                self._fresh(op_id), op.receipt_id, doc, warehouse=warehouse, holder=holder
            )
        )
        return False  # never undone (see the module docstring)

    def _fresh(self, op_id: str) -> str:
        """``op_id``, or its next retry id when the chain refused it before: a resent event
        is asked of the chain as it stands now, not answered with an old refusal."""
        candidate, retry = op_id, 0
        while (attempts := self.service.attempts(candidate)) and (
            attempts[-1].status is OpStatus.FAILED
        ):
            retry += 1
            candidate = f"{op_id}~{retry}"
        return candidate

    def _wait(self, row: ReceiptOp) -> None:
        """Until the operation is mined; a queued one (node down) is abandoned."""
        if row.queued:
            self._abandon(row)
            raise ChainUnavailable(
                f"the receipt registry's node did not take the operation: {row.error}"
            )
        assert row.tx_hash is not None
        try:
            self.service.chain.wait(row.tx_hash, timeout=self.wait_timeout)
        except TransactionReverted as exc:
            with self.service.ledger.unit_of_work(lock=False) as uow:
                settle(
                    uow.connection,
                    row.id,
                    OpStatus.FAILED,
                    self.service.clock.now(),
                    error=str(exc),
                    error_data=exc.data or None,
                )
                uow.commit()
            raise

    def _abandon(self, row: ReceiptOp) -> None:
        """Orphaned, so no flush sends it later; a retry of the same op sends it anew."""
        with self.service.ledger.unit_of_work(lock=False) as uow:
            settle(uow.connection, row.id, OpStatus.ORPHANED, self.service.clock.now())
            uow.commit()

    def _release(self, freed: Sequence[tuple[str, str, str, bytes]]) -> None:
        """Releases on chain what a full repayment released on the ledger (after the
        commit: a chain that lags here keeps a pledge longer, never two). A node that is
        down leaves it queued; the lender's own ``receipt.released`` record sends it too."""
        for op_id, receipt_id, lender, doc in freed:
            try:
                record = self.service.client.get(doc)
                if record.pledgee is None:
                    continue  # released on chain already (the batch's own release)
                signer = self.keys.signer(lender, "payload.lender")
                self.service.release(op_id, receipt_id, doc, lender=signer)
            except UnknownReceipt:
                continue  # never on chain (pledged before the registry was on)
            except LedgerError:
                log.exception("could not release %s on chain after its repayment", receipt_id)

    # -- 3. undoing what the chain accepted when the ledger then refused -------------------
    def _undo(self, done: Sequence[PlannedOp]) -> None:
        for op in reversed(done):
            undo_id = self._fresh(f"{op.op_id}:undo")
            doc = op.facts.document_hash
            try:
                if op.kind is OpKind.PLEDGE:
                    lender = self.keys.signer(op.counterparty or "", "payload.lender")
                    self._wait(self.service.release(undo_id, op.receipt_id, doc, lender=lender))
                elif op.kind is OpKind.RELEASE:  # pledged again to the lender that released
                    holder = self.keys.signer(op.facts.holder, op.field)
                    lender_address = self.keys.address(op.signer, op.field)
                    self._wait(
                        self.service.pledge(
                            undo_id, op.receipt_id, doc, holder=holder, lender=lender_address
                        )
                    )
                else:
                    log.error("%s of %s cannot be undone on chain", op.kind, op.receipt_id)
            except LedgerError:
                log.exception("could not undo %s of %s on chain", op.kind, op.receipt_id)
