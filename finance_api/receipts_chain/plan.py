"""Which registry operations a batch of receipt events needs, in the order they are sent.

Pure: given the batch and the document hash, warehouse and holder of each receipt it
names (read from the ``finance.receipts`` projection as it would stand after the batch),
it returns one :class:`PlannedOp` per event the registry knows of. Cancellations go last,
because a cancel cannot be undone on chain, while a pledge or a release that an operation
after it refuses can be.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from finance_api.receipts_chain.store import OpKind
from ledger.core.events import Event

#: The receipt events that have a counterpart on the shared registry.
CHAIN_TYPES = frozenset(
    {"receipt.issued", "receipt.pledged", "receipt.released", "receipt.cancelled"}
)


@dataclass(frozen=True, slots=True)
class ReceiptFacts:
    """What the registry needs of a receipt the ledger knows."""

    document_hash: bytes
    warehouse_id: str
    holder: str


@dataclass(frozen=True, slots=True)
class PlannedOp:
    """One registry call for one ledger event; ``signer`` and ``counterparty`` are
    participant ids (their chain keys come from :mod:`.keys`), ``field`` is what a
    refusal names in the request."""

    op_id: str
    kind: OpKind
    receipt_id: str
    facts: ReceiptFacts
    signer: str
    counterparty: str | None
    field: str


def _one(event: Event, facts: ReceiptFacts, where: str) -> PlannedOp:
    p = event.payload
    receipt_id = str(p["receipt_id"])
    if event.type == "receipt.issued":
        kind, signer, counterparty = OpKind.REGISTER, facts.warehouse_id, facts.holder
        field = f"{where}payload.document_hash"
    elif event.type == "receipt.pledged":
        kind, signer, counterparty = OpKind.PLEDGE, event.actor, str(p["lender"])
        field = f"{where}payload.receipt_id"
    else:
        kind = OpKind.RELEASE if event.type == "receipt.released" else OpKind.CANCEL
        signer, counterparty, field = event.actor, None, f"{where}payload.receipt_id"
    return PlannedOp(event.id, kind, receipt_id, facts, signer, counterparty, field)


def plan(
    events: Sequence[Event], receipts: Mapping[str, ReceiptFacts], *, batch: bool
) -> list[PlannedOp]:
    """The operations ``events`` need; events of other types need none."""
    ops: list[PlannedOp] = []
    for i, event in enumerate(events):
        if event.type not in CHAIN_TYPES:
            continue
        facts = receipts[str(event.payload["receipt_id"])]
        ops.append(_one(event, facts, f"events[{i}]." if batch else ""))
    return sorted(ops, key=lambda op: op.kind is OpKind.CANCEL)
