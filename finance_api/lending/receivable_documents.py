"""The documents a lender may finance, kept from the information flow, batch by batch.

Orders (``order.placed``, accepted by their seller, cancelled by a party) and invoices
(``invoice.issued``), and the disputes parties open and the platform resolves on orders.
Nothing here refuses: the information flow's events are judged by their own rules, and a
document that looks wrong (issued twice under one id, an acceptance by someone who is not
its seller) is only recorded as such, so that it cannot be financed. Whether an invoice's
buyer confirmed it is read from the trust projection (``trust.claims``, which applies
before this one), with the answer's sequence number, so a confirmation that comes after the
financing in the same batch does not count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, insert, select, update

from finance_api.lending.receivable_tables import ReceivableDispute, ReceivableDocument
from finance_api.lending.rules.eligibility import Document
from ledger.core.entry import LedgerEntry
from ledger.storage.table_writer import TableWriter
from ledger.trust.tables import ClaimParty

INFORMATION_TYPES = frozenset({"order.placed", "order.accepted", "order.cancelled",
                               "invoice.issued", "dispute.opened", "dispute.resolved"})  # fmt: skip
_CHUNK = 400
DocKey = tuple[str, str]


class DocumentBook:
    """The documents and disputes a batch touches, read once, written once."""

    def __init__(self, connection: Connection, entries: Sequence[LedgerEntry]) -> None:
        self._connection = connection
        self._docs: dict[DocKey, dict[str, Any]] = {}
        self._looked: set[DocKey] = set()  # read from the tables (found or not)
        self._looked_disputes: set[str] = set()
        self._disputes: dict[str, dict[str, Any]] = {}
        self._new: set[DocKey] = set()
        self._dirty: set[DocKey] = set()
        self._new_disputes: set[str] = set()
        self._dirty_disputes: set[str] = set()
        keys: set[DocKey] = set()
        dispute_ids: set[str] = set()
        for entry in entries:
            kind, doc_id = _target(entry.event.type, entry.event.payload)
            if kind:
                keys.add((kind, doc_id))
            if entry.event.type == "invoice.issued":  # its order, for a financing later
                keys.add(("order", str(entry.event.payload["order_id"])))
            if entry.event.type.startswith("dispute."):
                dispute_ids.add(str(entry.event.payload["dispute_id"]))
        self._read_disputes(dispute_ids)
        keys.update(("order", d["order_id"]) for d in self._disputes.values())
        self._read(keys)

    def _read(self, keys: Iterable[DocKey]) -> None:
        wanted = sorted(set(keys) - self._looked)
        self._looked.update(wanted)
        for start in range(0, len(wanted), _CHUNK):
            chunk = set(wanted[start : start + _CHUNK])
            ids = sorted({doc_id for _, doc_id in chunk})
            table = ReceivableDocument.__table__
            for row in self._connection.execute(select(table).where(table.c.document_id.in_(ids))):
                if (row.kind, row.document_id) in chunk:
                    self._docs[(row.kind, row.document_id)] = dict(row._mapping)

    def _read_disputes(self, ids: set[str]) -> None:
        wanted = sorted(ids - self._looked_disputes)
        self._looked_disputes.update(wanted)
        for start in range(0, len(wanted), _CHUNK):
            table = ReceivableDispute.__table__
            rows = self._connection.execute(
                select(table).where(table.c.dispute_id.in_(wanted[start : start + _CHUNK]))
            )
            self._disputes.update({r.dispute_id: dict(r._mapping) for r in rows})

    def get(self, kind: str, doc_id: str) -> dict[str, Any] | None:
        if (kind, doc_id) not in self._docs and (kind, doc_id) not in self._looked:
            self._read([(kind, doc_id)])
        return self._docs.get((kind, doc_id))

    def record(self, entry: LedgerEntry) -> None:
        """Keep what an information-flow entry says of an order, an invoice or a dispute."""
        event, p = entry.event, entry.event.payload
        if event.type in ("order.placed", "invoice.issued"):
            kind = "order" if event.type == "order.placed" else "invoice"
            doc_id = str(p[f"{kind}_id"])
            money = p["total"] if kind == "order" else p["amount"]
            if (found := self.get(kind, doc_id)) is not None:
                self._change((kind, doc_id), issues=found["issues"] + 1)
                return
            self._docs[(kind, doc_id)] = {
                "kind": kind, "document_id": doc_id, "seq": entry.seq,
                "seller": str(p.get("seller", event.actor)), "buyer": str(p.get("buyer", "")),
                "order_id": str(p["order_id"]), "amount_minor": int(money["amount_minor"]),
                "currency": str(money["currency"]), "issues": 1, "accepted": False,
                "cancelled": False, "open_disputes": 0,
                "due_date": date.fromisoformat(p["due_date"]) if kind == "invoice" else None,
            }  # fmt: skip
            self._new.add((kind, doc_id))
            return
        order_id = str(p.get("order_id", ""))
        if event.type == "dispute.resolved":
            dispute = self._disputes.get(str(p["dispute_id"]))
            if dispute is None or not dispute["open"]:
                return
            dispute["open"] = False
            self._dirty_disputes.add(dispute["dispute_id"])
            order_id = dispute["order_id"]
        order = self.get("order", order_id)
        if order is None:
            return
        parties = {order["seller"], order["buyer"]}
        if event.type == "order.accepted" and event.actor == order["seller"]:
            self._change(("order", order_id), accepted=True)
        elif event.type == "order.cancelled" and event.actor in parties:
            self._change(("order", order_id), cancelled=True)
        elif event.type == "dispute.opened" and event.actor in parties:
            dispute_id = str(p["dispute_id"])
            if dispute_id in self._disputes or self._stored_dispute(dispute_id):
                return
            self._disputes[dispute_id] = {"dispute_id": dispute_id, "order_id": order_id,
                                          "open": True}  # fmt: skip
            self._new_disputes.add(dispute_id)
            self._change(("order", order_id), open_disputes=order["open_disputes"] + 1)
        elif event.type == "dispute.resolved":
            self._change(("order", order_id), open_disputes=max(0, order["open_disputes"] - 1))

    def _stored_dispute(self, dispute_id: str) -> bool:
        self._read_disputes({dispute_id})
        return dispute_id in self._disputes

    def _change(self, key: DocKey, **values: Any) -> None:
        self._docs[key].update(values)
        if key not in self._new:
            self._dirty.add(key)

    def document(self, kind: str, doc_id: str, before_seq: int) -> Document | None:
        """The document as a financing at ``before_seq`` sees it (None when unknown)."""
        row = self.get(kind, doc_id)
        if row is None:
            return None
        order = row if kind == "order" else self.get("order", row["order_id"])
        confirmed, rejected = bool(row["accepted"]), False
        if kind == "invoice":
            confirmed, rejected = self._buyer_answer(row["seq"], row["buyer"], before_seq)
        return Document(
            kind="invoice" if kind == "invoice" else "order", document_id=doc_id,
            seller=row["seller"], buyer=row["buyer"], amount=row["amount_minor"],
            currency=row["currency"], order_id=row["order_id"], due_date=row["due_date"],
            confirmed=confirmed, ambiguous=row["issues"] > 1,
            cancelled=rejected or bool(order is not None and order["cancelled"]),
            open_disputes=int(order["open_disputes"]) if order is not None else 0,
            order_matches=kind == "order" or _matches(row, order),
        )  # fmt: skip

    def _buyer_answer(self, claim_seq: int, buyer: str, before_seq: int) -> tuple[bool, bool]:
        row = self._connection.execute(
            select(ClaimParty.status, ClaimParty.answered_seq).where(
                ClaimParty.claim_seq == claim_seq, ClaimParty.party == buyer
            )
        ).first()
        if row is None or row.answered_seq is None or row.answered_seq > before_seq:
            return False, False
        return row.status == "confirmed", row.status == "rejected"

    def write(self) -> None:
        docs, disputes = ReceivableDocument, ReceivableDispute
        if self._new:  # as tuples (most batches make dozens of orders and invoices)
            table = cast(Table, docs.__table__)
            columns = tuple(table.c.keys())
            writer = TableWriter.of(self._connection.dialect, table, columns)
            writer.write(self._connection, [tuple(self._docs[k][c] for c in columns)
                                            for k in sorted(self._new)])  # fmt: skip
        if self._dirty:
            self._connection.execute(
                update(docs)
                .where(docs.kind == bindparam("b_kind"), docs.document_id == bindparam("b_id"))
                .values(issues=bindparam("issues"), accepted=bindparam("accepted"),
                        cancelled=bindparam("cancelled"),
                        open_disputes=bindparam("open_disputes")),
                [{"b_kind": k, "b_id": i, **{c: self._docs[(k, i)][c] for c in
                  ("issues", "accepted", "cancelled", "open_disputes")}}
                 for k, i in sorted(self._dirty)],
            )  # fmt: skip
        if self._new_disputes:
            self._connection.execute(
                insert(disputes), [self._disputes[d] for d in sorted(self._new_disputes)]
            )
        dirty = sorted(self._dirty_disputes - self._new_disputes)
        if dirty:
            self._connection.execute(
                update(disputes).where(disputes.dispute_id == bindparam("b_id"))
                .values(open=bindparam("open")),
                [{"b_id": d, "open": self._disputes[d]["open"]} for d in dirty],
            )  # fmt: skip


def _matches(invoice: dict[str, Any], order: dict[str, Any] | None) -> bool:
    """The invoice's order is on the ledger between its parties, covering its amount."""
    if order is None:
        return False
    same = all(invoice[c] == order[c] for c in ("seller", "buyer", "currency"))
    return same and invoice["amount_minor"] <= order["amount_minor"]


def _target(etype: str, payload: Any) -> tuple[str, str]:
    """The document an entry names directly (kind, id), or ("", "")."""
    if etype == "invoice.issued":
        return "invoice", str(payload["invoice_id"])
    if etype.startswith("order.") or etype == "dispute.opened":
        return "order", str(payload.get("order_id", ""))
    if etype == "receivable.financed":
        return str(payload["document_kind"]), str(payload["document_id"])
    return "", ""
