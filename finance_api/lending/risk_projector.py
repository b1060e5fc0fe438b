"""The ``lending.risk`` projection: alerts on receipt loans, stock and a lender's whole book.

Ordered after ``finance.receipts`` and ``lending.credit_lines`` (order 50 against their
40), it reads what they wrote for the same entries (:mod:`.risk_facts`) and raises, entry by
entry in the append's transaction, the alerts of :mod:`.rules.risk`: LTV band moves of
receipt loans (limit breach, margin-call point, liquidation point, cleared), days past due
on them, stock reconciliation failures for each lender holding a pledged receipt on the
lot, and the concentration of each lender's lines and loans together on one debtor,
warehouse, commodity or country. The alerts land in ``lending_risk_alerts``, which
``GET /v1/risk/alerts``, the stream and the webhook outbox read with the other tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, delete, insert, select

from finance_api.lending import risk_facts as facts
from finance_api.lending.alert_tables import RiskAlertRow
from finance_api.lending.keyed import KeyedDelete
from finance_api.lending.risk_tables import RiskCountryRow, RiskExposureRow, RiskFlagRow
from finance_api.lending.rules.alerts import Alert, ConcentrationPolicy
from finance_api.lending.rules.lines import EVENT_TYPES as LINE_TYPES
from finance_api.lending.rules.risk import (
    Exposure,
    LtvMove,
    StockFinding,
    concentration_alerts,
    loan_dpd_alert,
    ltv_alerts,
    stock_alert,
)
from finance_api.receipts.projector import HANDLERS
from ledger.core.entry import LedgerEntry

_POINTS = ("advance_bp", "margin_call_bp", "liquidation_bp")

_FLAG_KEY = ("lender", "currency", "dimension", "name")
_FLAGS_GONE = KeyedDelete(RiskFlagRow, _FLAG_KEY)
_LENDERS: BindParameter[list[str]] = bindparam("lenders", expanding=True)
_EXPOSURES = select(RiskExposureRow.__table__).where(RiskExposureRow.lender.in_(_LENDERS))
_FLAGS = select(RiskFlagRow.lender, RiskFlagRow.currency, RiskFlagRow.dimension,
                RiskFlagRow.name).where(RiskFlagRow.lender.in_(_LENDERS))  # fmt: skip
_COUNTRIES = select(RiskCountryRow.participant, RiskCountryRow.country).where(
    RiskCountryRow.participant.in_(bindparam("ids", expanding=True))
)


class _Book:
    """The touched lenders' exposures, flags and their debtors' countries, in memory."""

    def __init__(self, connection: Connection, lenders: set[str]) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.flags: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for wanted in facts.chunks(lenders):  # none when the batch touches no lender's book
            for stored in connection.execute(_EXPOSURES, {"lenders": wanted}):
                self.rows[stored.source] = dict(stored._mapping)
            for lender, currency, dimension, name in connection.execute(
                _FLAGS, {"lenders": wanted}
            ):
                self.flags.setdefault((lender, currency), set()).add((dimension, name))
        self.stored_flags = self._flag_rows()
        self.touched: set[str] = set()
        self.books: dict[tuple[str, str], set[str]] = {}
        for key, row in self.rows.items():
            self.books.setdefault((row["lender"], row["currency"]), set()).add(key)

    def _flag_rows(self) -> set[tuple[str, str, str, str]]:
        return {(lender, cur, d, n) for (lender, cur), keys in self.flags.items()
                for d, n in keys}  # fmt: skip

    def source(self, key: str, party: facts.Party) -> dict[str, Any]:
        row = self.rows.get(key)
        if row is None:
            row = self.rows[key] = {"source": key, "lender": party.lender,
                                    "currency": party.currency, "debtor": party.borrower,
                                    "commodity": party.commodity, "warehouses": {},
                                    "amount_minor": 0, "days_past_due": 0}  # fmt: skip
            self.books.setdefault((party.lender, party.currency), set()).add(key)
        self.touched.add(key)
        return row

    def concentration(self, lender: str, currency: str, countries: dict[str, str | None],
                      policy: ConcentrationPolicy) -> list[Alert]:  # fmt: skip
        book = [
            Exposure(
                r["source"],
                r["debtor"],
                countries.get(r["debtor"]) or "unknown",
                r["amount_minor"],
                r["commodity"],
                r["warehouses"],
            )
            for r in (self.rows[k] for k in sorted(self.books.get((lender, currency), ())))
        ]
        flagged = self.flags.setdefault((lender, currency), set())
        return concentration_alerts(lender, currency, book, flagged, policy)

    def write(self, connection: Connection) -> None:
        t = RiskExposureRow
        for keys in facts.chunks(self.touched):
            connection.execute(delete(t).where(t.source.in_(keys)))
            connection.execute(insert(t), [self.rows[k] for k in keys])
        now = self._flag_rows()
        gone, new = self.stored_flags - now, now - self.stored_flags
        _FLAGS_GONE.run(connection, sorted(gone))
        if new:
            connection.execute(
                insert(RiskFlagRow), [dict(zip(_FLAG_KEY, r, strict=True)) for r in sorted(new)]
            )


class RiskProjector:
    name = "lending.risk"
    version = 1
    order = 50  # after finance.receipts and lending.credit_lines (40): it reads their rows
    event_types = frozenset({*HANDLERS, *LINE_TYPES, "participant.registered"})
    tables = (RiskAlertRow.__table__, RiskExposureRow.__table__, RiskFlagRow.__table__,
              RiskCountryRow.__table__)  # fmt: skip

    def __init__(self, policy: ConcentrationPolicy = ConcentrationPolicy()) -> None:
        self.policy = policy

    def apply(self, connection: Connection, entries: Sequence[LedgerEntry]) -> None:
        lo, hi = entries[0].seq, entries[-1].seq
        moved, found = facts.moves(connection, lo, hi), facts.findings(connection, lo, hi)
        loan_posts = facts.loan_postings(connection, lo, hi)
        line_posts = facts.line_postings(connection, lo, hi)
        repledged: dict[int, set[str]] = {}
        for p in facts.pledges_moved(connection, lo, hi):
            for seq in (p.pledged_seq, p.released_seq):
                if p.loan_id is not None and seq is not None and lo <= seq <= hi:
                    repledged.setdefault(seq, set()).add(p.loan_id)
        loan_ids = {str(r.loan_id) for rows in (*moved.values(), *loan_posts.values())
                    for r in rows} | {i for ids in repledged.values() for i in ids}  # fmt: skip
        loan_ids |= {str(e.event.payload["loan_id"]) for e in entries
                     if e.event.type in ("loan.past_due", "loan.statement_issued")}  # fmt: skip
        lots = {(f.warehouse_id, f.lot_id) for rs in found.values() for f in rs if f.lot_id}
        on_lots = facts.pledges_on_lots(connection, lots)
        loans = facts.loans(connection, loan_ids | {str(p.loan_id) for p in on_lots if p.loan_id})
        pledges = facts.pledges_of_loans(connection, loans)
        lines = facts.lines(connection, {str(r.line_id) for rs in line_posts.values() for r in rs})
        lenders = {p.lender for p in (*loans.values(), *lines.values())}
        book = _Book(connection, lenders)
        debtors = {p.borrower for p in (*loans.values(), *lines.values())}
        countries = self._countries(connection, debtors | {r["debtor"] for r in book.rows.values()})
        registered: dict[str, str | None] = {}
        alerts: list[dict[str, Any]] = []
        for entry in entries:
            s = entry.seq
            if entry.event.type == "participant.registered":  # in order: a later registration
                pid = str(entry.event.payload["participant_id"])  # never counts earlier
                registered[pid] = countries[pid] = entry.event.payload.get("country")
            raised: list[Alert] = []
            changed: set[tuple[str, str]] = set()
            for row in line_posts.get(s, ()):
                party = lines[str(row.line_id)]
                book.source(f"line:{row.line_id}", party)["amount_minor"] += int(row.amount_minor)
                changed.add((party.lender, party.currency))
            for row in loan_posts.get(s, ()):
                owner = loans[str(row.loan_id)]
                book.source(f"loan:{row.loan_id}", owner)["amount_minor"] += int(row.delta)
                changed.add((owner.lender, owner.currency))
            for loan_id in sorted(repledged.get(s, set()) | {str(r.loan_id) for r in
                                  loan_posts.get(s, ())}):  # fmt: skip
                found_loan = loans.get(loan_id)
                if found_loan is None or found_loan.since > s:  # pledged for a loan to come
                    continue
                party = found_loan
                row = book.source(f"loan:{loan_id}", party)
                weights: dict[str, int] = {}
                for p in pledges.get(loan_id, ()):
                    if p.live_at(s) and p.lender == party.lender:
                        weights[p.warehouse_id] = weights.get(p.warehouse_id, 0) + p.quantity_milli
                if weights != row["warehouses"]:
                    row["warehouses"] = weights
                    changed.add((party.lender, party.currency))
            if entry.event.type in ("loan.past_due", "loan.statement_issued"):
                raised += self._past_due(entry, loans, book)
            for m in moved.get(s, ()):
                party = loans[str(m.loan_id)]
                raised += ltv_alerts(LtvMove(m.loan_id, party.lender, party.borrower,
                                             m.band_from, m.band, m.ltv_bp, m.owed_minor,
                                             m.value_minor, m.quantity_milli, m.price_minor,
                                             {k: getattr(m, k) for k in _POINTS}))  # fmt: skip
            for f in found.get(s, ()):
                raised += self._stock(connection, entry, f, on_lots, loans)
            for lender, currency in sorted(changed):
                raised += book.concentration(lender, currency, countries, self.policy)
            alerts.extend({"seq": s, "kind": a.kind, "subject": a.subject, "lender": a.lender,
                           "borrower": a.borrower, "severity": a.severity,
                           "detail": dict(a.detail), "occurred_at": entry.event.occurred_at}
                          for a in raised)  # fmt: skip
        if alerts:
            connection.execute(insert(RiskAlertRow), alerts)
        book.write(connection)
        if registered:
            t = RiskCountryRow
            connection.execute(delete(t).where(t.participant.in_(sorted(registered))))
            connection.execute(insert(t), [{"participant": p, "country": c}
                                           for p, c in sorted(registered.items())])  # fmt: skip

    def _countries(self, connection: Connection, debtors: set[str]) -> dict[str, str | None]:
        """The stored registered countries of ``debtors`` (before this batch)."""
        return {str(p): c for ids in facts.chunks(debtors)
                for p, c in connection.execute(_COUNTRIES, {"ids": ids})}  # fmt: skip

    def _past_due(self, entry: LedgerEntry, loans: dict[str, facts.Party],
                  book: _Book) -> list[Alert]:  # fmt: skip
        payload = entry.event.payload
        party = loans.get(str(payload["loan_id"]))
        if party is None or "days_past_due" not in payload:
            return []
        row = book.source(f"loan:{payload['loan_id']}", party)
        dpd = int(payload["days_past_due"])
        amount = payload.get("amount") or payload.get("amount_due") or {}
        arrears = int(amount.get("amount_minor", 0))
        alert = loan_dpd_alert(str(payload["loan_id"]), party.lender, party.borrower,
                               row["days_past_due"], dpd, arrears)  # fmt: skip
        row["days_past_due"] = dpd
        return [alert] if alert is not None else []

    def _stock(self, connection: Connection, entry: LedgerEntry, f: Any,
               on_lots: list[facts.Pledge],
               loans: dict[str, facts.Party]) -> list[Alert]:  # fmt: skip
        s = entry.seq
        lots = [f.lot_id] if f.lot_id else facts.lots_of_sku(
            connection, f.warehouse_id, str(entry.event.payload.get("sku", "")))  # fmt: skip
        pledged = on_lots if f.lot_id else facts.pledges_on_lots(
            connection, [(f.warehouse_id, lot) for lot in lots])  # fmt: skip
        out = []
        for p in pledged:
            if p.warehouse_id != f.warehouse_id or p.lot_id not in lots or not p.live_at(s):
                continue
            if p.loan_id is not None and p.loan_id not in loans:
                loans.update(facts.loans(connection, [p.loan_id]))
            loan = loans.get(p.loan_id) if p.loan_id is not None else None
            known = p.loan_id if loan is not None and loan.since <= s else None
            finding = StockFinding(f.kind, f.warehouse_id, p.lot_id, int(f.held_milli),
                                   int(f.covered_milli), f.counted_milli)  # fmt: skip
            out.append(stock_alert(finding, p.receipt_id, p.lender, p.holder,
                                   p.quantity_milli, known))  # fmt: skip
        return out


PROJECTOR = RiskProjector()
