"""Financings that the ledger and the shared receivable registry both accept, or neither.

Order, for one batch holding ``receivable.financed`` events (each step refusing stops it):

1. **The ledger judges first**: the batch is appended in a unit of work that is rolled
   back, so a refusal by the ``lending.receivables`` projection (not eligible, financed on
   this ledger already...) answers at once and nothing is sent on chain. The same run reads
   each new financing's document key (the content hash every deployment computes alike).
2. **The chain judges next**: the key is looked up, then ``finance(key, lender, ref)`` is
   sent with the lender's chain key and waited for until mined. A key another deployment
   financed (``AlreadyFinanced``) is refused as ``409 already_financed`` naming
   ``payload.document_id``; a node that is down answers 503 and nothing is written.
3. **Then the ledger commits.** Should it refuse now (the projection moved between 1 and
   3), the key stays held on chain by this act (``ref``, a hash of its event id): sending
   the same signed event again adopts it instead of being refused by its own financing.

Closing acts (settled, written off, converted) are committed first and then discharged on
chain (the key stays taken; a lagging chain only shows a closed financing as open longer).
Acts are serialised in this process; across processes and deployments the contract is the
arbiter. Batches without financing acts go to ``fallback`` (the receipt registry's gate,
when it is on), so one gate can stand for both on ``POST /v1/events``.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select

from finance_api.lending.receivable_tables import ReceivableFinancing
from finance_api.receipts_chain.keys import ChainKeys
from finance_api.receipts_chain.plan import CHAIN_TYPES
from finance_api.receivables_chain.client import KeyStatus, ReceivableRegistryClient
from finance_api.receivables_chain.errors import AlreadyFinanced
from ledger.anchoring.chain import Chain
from ledger.core.entry import Appended
from ledger.core.errors import InvalidEvent, LedgerError
from ledger.core.events import Event
from ledger.log import Ledger
from ledger.storage.batches import Prepared

log = logging.getLogger(__name__)
FINANCE = "receivable.financed"
CLOSING = frozenset({"receivable.settled", "receivable.written_off", "receivable.converted"})


class Gate(Protocol):
    def append(self, ledger: Ledger, events: Sequence[Event], *, batch: bool) -> list[Appended]:
        """Append ``events`` as this gate's rules say."""


@dataclass(frozen=True, slots=True)
class KeyOp:
    """One financing to register (or discharge) on chain: its key and its lender."""

    event_id: str
    financing_id: str
    key: bytes
    lender: str
    closing: bool

    @property
    def ref(self) -> bytes:
        return hashlib.sha256(b"threeflow/receivable-ref/v1\x00" + self.event_id.encode()).digest()


class ReceivableGate:
    """Appends financing acts so that the ledger and the registry contract agree."""

    def __init__(self, chain: Chain, client: ReceivableRegistryClient, keys: ChainKeys, *,
                 wait_timeout: float = 30.0, fallback: Gate | None = None) -> None:  # fmt: skip
        self.chain = chain
        self.client = client
        self.keys = keys
        self.wait_timeout = wait_timeout
        self.fallback = fallback
        self._lock = threading.Lock()

    def append(self, ledger: Ledger, events: Sequence[Event], *, batch: bool) -> list[Appended]:
        """Appends ``events`` once the registry took their financings (see the module)."""
        ours = {e.type for e in events} & (CLOSING | {FINANCE})
        if not ours:
            if self.fallback is not None:
                return self.fallback.append(ledger, events, batch=batch)
            return ledger.append_batch(events)
        if self.fallback is not None and any(
            e.type in CHAIN_TYPES or e.type.startswith("loan.") for e in events
        ):
            raise InvalidEvent("send receipt acts and receivable acts in separate batches",
                               field="events")  # fmt: skip
        prepared = ledger.prepare(events)
        with self._lock:
            ops = self._judge(ledger, prepared)
            for op in ops:
                if not op.closing:
                    self._finance(op)
            with ledger.unit_of_work() as uow:
                entries = uow.append(prepared)
                uow.commit()
        for op in ops:
            if op.closing:
                self._discharge(op)
        return entries

    def _judge(self, ledger: Ledger, prepared: Prepared) -> list[KeyOp]:
        with ledger.unit_of_work() as uow:
            entries = uow.append(prepared)
            fresh = [e.event for e in entries if not e.replayed]
            mine = [e for e in fresh if e.type == FINANCE or e.type in CLOSING]
            ids = {str(e.payload["financing_id"]) for e in mine}
            table = ReceivableFinancing.__table__
            rows = uow.connection.execute(
                select(table.c.financing_id, table.c.document_key, table.c.lender)
                .where(table.c.financing_id.in_(sorted(ids)))
            ).all()  # fmt: skip
            uow.rollback()
        found = {r.financing_id: r for r in rows}
        return [KeyOp(e.id, fid, bytes.fromhex(found[fid].document_key), found[fid].lender,
                      e.type in CLOSING)
                for e in mine if (fid := str(e.payload["financing_id"])) in found]  # fmt: skip

    def _finance(self, op: KeyOp) -> None:
        where = "payload.document_id"
        signer = self.keys.signer(op.lender, "payload.lender")
        try:
            record = self.client.get(op.key)
            if record.status is not KeyStatus.NONE:
                if record.ref == op.ref and record.lender == signer.address:
                    return  # this very act, mined before its commit failed: adopt it
                raise AlreadyFinanced(
                    {"key": op.key, "lender": record.lender or ""},
                ) from None
            sent = self.client.finance(op.key, signer.address, op.ref, sender=signer)
            self.chain.wait(sent, timeout=self.wait_timeout)
        except LedgerError as exc:
            if exc.field is None:
                exc.field = where
            if isinstance(exc, AlreadyFinanced):
                holder = exc.revert_args.get("lender")
                exc.detail = (f"the shared receivable registry holds a financing of this "
                              f"document already (lender {holder})")  # fmt: skip
            raise

    def _discharge(self, op: KeyOp) -> None:
        try:
            signer = self.keys.signer(op.lender, "payload.lender")
            record = self.client.get(op.key)
            if record.status is not KeyStatus.FINANCED or record.lender != signer.address:
                return  # never on chain (financed before the registry was on), or done
            self.chain.wait(self.client.discharge(op.key, sender=signer),
                            timeout=self.wait_timeout)  # fmt: skip
        except LedgerError:
            log.exception("could not discharge financing %s on chain", op.financing_id)
