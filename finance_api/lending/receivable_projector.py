"""The receivables projection: factoring and advance payment judged in the append's
transaction.

A ``receivable.financed`` is judged against the document as the ledger shows it
(:mod:`.receivable_documents`) and against every other financing: the same document, or
the same goods (an invoice whose order is under a live advance payment, an order one of
whose invoices is financed and open), is ``already_financed``, whichever lender asks. The
unique constraints of :mod:`.receivable_tables` back the rule if two writers ever got past
it. The lender's later acts go through the pure rules (:mod:`.rules.receivables`); a
conversion reads the receipt loan from ``finance.receipts``, which applies before this one.
A refusal raises and the whole append is undone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, bindparam, insert, or_, select, update

from finance_api.lending.receivable_documents import INFORMATION_TYPES, DocumentBook
from finance_api.lending.receivable_errors import FinancingExists
from finance_api.lending.receivable_tables import TABLES, ReceivableFinancing, ReceivablePosting
from finance_api.lending.rules.eligibility import check_eligible, document_key
from finance_api.lending.rules.receivables import (
    EVENT_TYPES,
    Financing,
    LoanFacts,
    apply,
    financed,
)
from finance_api.receipts.tables import LoanRow
from ledger.core.entry import LedgerEntry
from ledger.core.errors import LedgerError

_STATE = ("financed_seq", "updated_seq")


def from_row(row: Any) -> Financing:
    values = dict(row._mapping)
    return Financing(**{k: v for k, v in values.items() if k not in _STATE})


def read_financings(connection: Connection, **where: Any) -> list[Financing]:
    """Financings whose columns equal the given values (an id, a document, an order...)."""
    table = ReceivableFinancing.__table__
    query = select(table)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    return [from_row(row) for row in connection.execute(query)]


class ReceivablesProjector:
    name = "lending.receivables"
    version = 1
    order = 50  # after trust.claims (10) and finance.receipts (40), which it reads
    event_types = EVENT_TYPES | INFORMATION_TYPES
    tables = TABLES

    def apply(self, connection: Connection, entries: Sequence[LedgerEntry]) -> None:
        docs = DocumentBook(connection, entries)
        book = _Financings(connection, entries)
        for entry in entries:
            event = entry.event
            try:
                if event.type in INFORMATION_TYPES:
                    docs.record(entry)
                elif event.type == "receivable.financed":
                    book.finance(docs, entry)
                else:
                    book.act(connection, entry)
            except LedgerError as exc:
                exc.seq = entry.seq
                raise
        docs.write()
        book.write()


class _Financings:
    """The financings a batch touches (by id), and every one on the documents it finances."""

    def __init__(self, connection: Connection, entries: Sequence[LedgerEntry]) -> None:
        self._connection = connection
        ids = {str(e.event.payload["financing_id"]) for e in entries if e.event.type in EVENT_TYPES}
        self.by_id: dict[str, Financing] = {}
        if ids:
            table = ReceivableFinancing.__table__
            rows = connection.execute(select(table).where(table.c.financing_id.in_(sorted(ids))))
            self.by_id = {row.financing_id: from_row(row) for row in rows}
        self._stored = set(self.by_id)
        self._touched: dict[str, int] = {}
        self._opened: dict[str, int] = {}
        self._postings: list[dict[str, Any]] = []

    def finance(self, docs: DocumentBook, entry: LedgerEntry) -> None:
        payload = entry.event.payload
        financing_id = str(payload["financing_id"])
        if financing_id in self.by_id:
            raise FinancingExists(f"financing {financing_id} exists already",
                                  field="payload.financing_id")  # fmt: skip
        kind, doc_id = str(payload["document_kind"]), str(payload["document_id"])
        doc = docs.document(kind, doc_id, entry.seq)
        conflict = None
        if doc is not None:
            conflict = self._conflict(doc.kind, doc.document_id, doc.order_id, document_key(doc))
        on = entry.event.occurred_at.date()
        doc = check_eligible(doc, payload, on, conflict)
        fin = financed(doc, document_key(doc), payload, on)
        self.by_id[financing_id] = fin
        self._opened[financing_id] = self._touched[financing_id] = entry.seq
        self._post(entry, financing_id, [("advanced", fin.advanced)])

    def _conflict(self, kind: str, doc_id: str, order_id: str, key: str) -> str | None:
        """A financing of this document or of the same goods, described; else None."""
        table = ReceivableFinancing.__table__
        same = (table.c.document_kind == kind) & (table.c.document_id == doc_id)
        goods = (table.c.order_id == order_id) & (table.c.status == "open")
        rows = self._connection.execute(
            select(table).where(or_(same, table.c.document_key == key, goods))
        )
        found = {row.financing_id: from_row(row) for row in rows}
        found.update({f.financing_id: f for f in self.by_id.values() if f.order_id == order_id
                      or f.document_key == key})  # fmt: skip
        for fin in sorted(found.values(), key=lambda f: f.financing_id):
            fin = self.by_id.get(fin.financing_id, fin)
            if fin.document_key == key or (fin.document_kind, fin.document_id) == (kind, doc_id):
                return f"financed by {fin.lender} already (financing {fin.financing_id})"
            if fin.status == "open" and fin.document_kind != kind:
                other = "its order is under a live advance payment" if kind == "invoice" else (
                    f"its invoice {fin.document_id} is financed")  # fmt: skip
                return f"{other} by {fin.lender} (financing {fin.financing_id})"
        return None

    def act(self, connection: Connection, entry: LedgerEntry) -> None:
        payload = entry.event.payload
        financing_id = str(payload["financing_id"])
        loan = None
        if entry.event.type == "receivable.converted":
            loan = _loan(connection, str(payload["loan_id"]), entry.seq)
        fin, posted = apply(self.by_id.get(financing_id), entry.event.type, payload,
                            entry.event.occurred_at.date(), loan)  # fmt: skip
        self.by_id[financing_id] = fin
        self._touched[financing_id] = entry.seq
        self._post(entry, financing_id, [(p.component, p.amount) for p in posted])

    def _post(self, entry: LedgerEntry, financing_id: str, posted: list[tuple[str, int]]) -> None:
        self._postings.extend(
            {"seq": entry.seq, "component": c, "financing_id": financing_id, "amount_minor": a,
             "posted_on": entry.event.occurred_at.date()} for c, a in posted
        )  # fmt: skip

    def write(self) -> None:
        new = [{**asdict(self.by_id[i]), "financed_seq": s, "updated_seq": self._touched[i]}
               for i, s in self._opened.items()]  # fmt: skip
        changed = [{**asdict(self.by_id[i]), "b_id": i, "updated_seq": s}
                   for i, s in self._touched.items() if i in self._stored]  # fmt: skip
        if new:
            self._connection.execute(insert(ReceivableFinancing), new)
        if changed:
            self._connection.execute(
                update(ReceivableFinancing).where(
                    ReceivableFinancing.financing_id == bindparam("b_id")
                ),
                [{k: v for k, v in row.items() if k != "financing_id"} for row in changed],
            )
        if self._postings:
            self._connection.execute(insert(ReceivablePosting), self._postings)


def _loan(connection: Connection, loan_id: str, before_seq: int) -> LoanFacts | None:
    row = connection.execute(
        select(LoanRow.lender, LoanRow.borrower, LoanRow.principal_minor, LoanRow.currency,
               LoanRow.disbursed_seq).where(LoanRow.loan_id == loan_id)
    ).first()  # fmt: skip
    if row is None or row.disbursed_seq > before_seq:
        return None
    return LoanFacts(row.lender, row.borrower, int(row.principal_minor), row.currency)


PROJECTOR = ReceivablesProjector()
