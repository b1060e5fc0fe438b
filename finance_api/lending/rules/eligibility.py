"""Whether a document may be financed: the document as the ledger shows it, and the bounds.

Pure: the projector reads the document (an ``invoice.issued`` or an ``order.placed`` and
what followed it: acceptance, cancellation, disputes, the buyer's ``claim.confirmed``) and
any live financing of the same goods, and these rules decide. The checks run in the order a
lender would fix them: the document exists and is one document, it is confirmed, it is not
cancelled or disputed, it is financed nowhere yet, the financing describes it truly, and the
advance is within the policy's bounds.

The document key is a hash of the document's own content (kind, id, seller, debtor, amount,
currency and, for an invoice, its due date): every deployment computes the same key for the
same document, which is how a shared on-chain registry refuses a second financing made
through another deployment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from finance_api.lending.receivable_errors import (
    AdvanceOutOfBounds,
    AlreadyFinanced,
    DocumentAmbiguous,
    DocumentCancelled,
    DocumentDisputed,
    DocumentMismatch,
    DocumentNotConfirmed,
    ReceivableCurrencyMismatch,
    UnknownDocument,
)
from ledger.core.canonical import canonicalize

Kind = Literal["invoice", "order"]
KEY_DOMAIN = b"threeflow/receivable-key/v1\x00"


@dataclass(frozen=True, slots=True)
class Document:
    """An invoice or an order as the ledger's information flow leaves it.

    ``confirmed``: for an invoice, its buyer confirmed it before the financing; for an
    order, its seller accepted it. ``cancelled``: the order (an invoice's order) was
    cancelled, or the buyer rejected the invoice. ``open_disputes``: disputes open on the
    order. ``ambiguous``: two documents were issued under the id.
    """

    kind: Kind
    document_id: str
    seller: str
    buyer: str
    amount: int
    currency: str
    order_id: str
    due_date: date | None = None
    confirmed: bool = False
    cancelled: bool = False
    open_disputes: int = 0
    ambiguous: bool = False


@dataclass(frozen=True, slots=True)
class Bounds:
    """The advance rates a lender may use, in basis points of the face amount."""

    min_advance_bp: int
    max_advance_bp: int


POLICY: Mapping[str, Bounds] = {
    "invoice": Bounds(7000, 9000),  # factoring: 70-90% of an eligible invoice
    "order": Bounds(1000, 8000),  # advance payment: the goods have not arrived yet
}
"""Default bounds; the reserve is the rest of the face, held until the debtor pays."""


def document_key(doc: Document) -> str:
    """The content hash every deployment computes alike for the same document (hex)."""
    content: dict[str, Any] = {
        "kind": doc.kind,
        "document_id": doc.document_id,
        "seller": doc.seller,
        "debtor": doc.buyer,
        "amount_minor": doc.amount,
        "currency": doc.currency,
    }
    if doc.kind == "invoice" and doc.due_date is not None:
        content["due_date"] = doc.due_date.isoformat()
    return hashlib.sha256(KEY_DOMAIN + canonicalize(content)).hexdigest()


def check_eligible(
    doc: Document | None,
    payload: Mapping[str, Any],
    on: date,
    conflict: str | None,
    bounds: Mapping[str, Bounds] = POLICY,
) -> Document:
    """The document a ``receivable.financed`` payload may finance, or the refusal.

    ``conflict``: a description of a financing of the same document or the same goods
    (an invoice's order under a live advance payment, an order with a financed invoice),
    found by the projector; any is a refusal.
    """
    kind = str(payload["document_kind"])
    doc_id = str(payload["document_id"])
    where = "payload.document_id"
    if doc is None or doc.kind != kind:
        raise UnknownDocument(f"no {kind} {doc_id} is on the ledger", field=where)
    if doc.ambiguous:
        raise DocumentAmbiguous(f"{kind} {doc_id} was issued twice", field=where)
    if not doc.confirmed:
        need = "its buyer's claim.confirmed" if kind == "invoice" else "the seller's acceptance"
        raise DocumentNotConfirmed(f"{kind} {doc_id} lacks {need}", field=where)
    if doc.cancelled:
        raise DocumentCancelled(f"{kind} {doc_id} is cancelled or rejected", field=where)
    if doc.open_disputes:
        raise DocumentDisputed(f"order {doc.order_id} has an open dispute", field=where)
    if conflict is not None:
        raise AlreadyFinanced(f"{kind} {doc_id}: {conflict}", field=where)
    _check_terms(doc, payload, on)
    _check_advance(doc, payload, bounds[kind])
    return doc


def _check_terms(doc: Document, payload: Mapping[str, Any], on: date) -> None:
    """The financing describes the document as it is on the ledger."""
    for name, truth in (("seller", doc.seller), ("debtor", doc.buyer)):
        if payload[name] != truth:
            raise DocumentMismatch(
                f"the {doc.kind}'s {name} is {truth}, not {payload[name]}", field=f"payload.{name}"
            )
    for name in ("face", "advanced", "reserve"):
        if payload[name]["currency"] != doc.currency:
            raise ReceivableCurrencyMismatch(
                f"the {doc.kind} is in {doc.currency}", field=f"payload.{name}.currency"
            )
    face = int(payload["face"]["amount_minor"])
    if face != doc.amount:
        raise DocumentMismatch(
            f"the {doc.kind}'s amount is {doc.amount}, not {face}", field="payload.face"
        )
    due = date.fromisoformat(str(payload["due_date"]))
    if doc.due_date is not None and due != doc.due_date:
        raise DocumentMismatch(
            f"the invoice is due {doc.due_date.isoformat()}", field="payload.due_date"
        )
    if due < on:
        raise DocumentMismatch("the due date has passed already", field="payload.due_date")


def _check_advance(doc: Document, payload: Mapping[str, Any], bounds: Bounds) -> None:
    rate = int(payload["advance_rate_bp"])
    if not bounds.min_advance_bp <= rate <= bounds.max_advance_bp:
        raise AdvanceOutOfBounds(
            f"an advance rate on an {doc.kind} is {bounds.min_advance_bp}-"
            f"{bounds.max_advance_bp} bp, not {rate}",
            field="payload.advance_rate_bp",
        )
    advanced = int(payload["advanced"]["amount_minor"])
    cap = doc.amount * rate // 10_000
    if not 0 < advanced <= cap:
        raise AdvanceOutOfBounds(
            f"the advance is more than 0 and at most {cap} ({rate} bp of {doc.amount})",
            field="payload.advanced",
        )
    reserve = int(payload["reserve"]["amount_minor"])
    if reserve != doc.amount - advanced:
        raise AdvanceOutOfBounds(
            f"the reserve is the face less the advance: {doc.amount - advanced}",
            field="payload.reserve",
        )
