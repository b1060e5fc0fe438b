"""A buyer's credibility as a seller needs it before shipping on credit, with its evidence.

From the entries naming one participant in an as-of tree (and the answers to its claims):
its payment record (invoices paid on time, days beyond terms, invoices still unpaid), its
channel distribution (channels it orders through, countries goods go to), its capital
status (unpaid invoices, credit facilities and their balance and utilisation, receipts
pledged) and its reputation (disputes, reviews given, claims rejected, tenure). Each figure
lists the sequence numbers of the ledger entries behind it (at most ``MAX_EVIDENCE``, with
the full count), so a seller can fetch each entry and its inclusion proof.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from credit.features.party import usd

MAX_EVIDENCE = 100


class _Figure:
    __slots__ = ("seqs", "value")

    def __init__(self) -> None:
        self.value: float = 0.0
        self.seqs: list[int] = []

    def add(self, seq: int, value: float = 1.0) -> None:
        self.value += value
        self.seqs.append(seq)


def credibility(
    participant: str, entries: Iterable[tuple[int, Mapping[str, Any]]], as_of: datetime
) -> dict[str, Any]:
    """Figures about ``participant`` from ``(seq, body)`` pairs in ledger order."""
    f: dict[str, _Figure] = {name: _Figure() for name in (
        "paid", "paid_on_time", "days_late", "unpaid", "unpaid_usd", "disputes", "reviews",
        "rating", "rejected_by_them", "rejected_of_theirs", "first", "lines", "pledged",
    )}  # fmt: skip
    invoices: dict[str, tuple[int, int]] = {}  # invoice id -> (seq, USD minor)
    channels: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    channel_seqs: list[int] = []
    facilities: dict[str, list[int]] = {}  # id -> [limit, balance, open, seq...]
    first: datetime | None = None
    claims_of_theirs: set[str] = set()
    for seq, body in entries:
        etype, p, actor = body["type"], body["payload"], body["actor"]
        if actor == participant:
            when = datetime.fromisoformat(body["occurred_at"])
            if first is None or when < first:
                first, f["first"].seqs = when, [seq]
            claims_of_theirs.add(str(body["id"]))
        if etype == "payment.made" and p["payer"] == participant and "invoice_id" in p:
            late = int(p.get("days_late", 0))
            f["paid"].add(seq)
            f["days_late"].add(seq, late)
            if late == 0:
                f["paid_on_time"].add(seq)
            invoices.pop(str(p["invoice_id"]), None)
        elif etype == "invoice.issued" and participant in (body.get("subjects") or []):
            invoices[str(p["invoice_id"])] = (seq, usd(p["amount"]))
        elif etype == "order.placed" and p["buyer"] == participant:
            channels[str(p.get("channel", "direct"))] += 1
            channel_seqs.append(seq)
        elif etype == "shipment.dispatched" and participant in (body.get("subjects") or []):
            countries[str(p["destination"])] += 1
            channel_seqs.append(seq)
        elif etype == "dispute.opened":
            f["disputes"].add(seq)
        elif etype == "review.posted" and actor == participant:
            f["reviews"].add(seq)
            f["rating"].add(seq, int(p["rating"]))
        elif etype == "claim.rejected":
            if actor == participant:
                f["rejected_by_them"].add(seq)
            elif str(p["claim_id"]) in claims_of_theirs:
                f["rejected_of_theirs"].add(seq)
        elif etype in ("credit_line.opened", "loan.disbursed") and p["borrower"] == participant:
            amount = usd(p.get("limit") or p.get("principal"))
            fid = str(p.get("line_id") or p.get("loan_id"))
            facilities[fid] = [amount, amount if etype == "loan.disbursed" else 0, 1, seq]
        elif (
            etype.startswith(("credit_line.", "loan."))
            and str(p.get("line_id") or p.get("loan_id")) in facilities
        ):
            facility = facilities[str(p.get("line_id") or p.get("loan_id"))]
            facility.append(seq)
            kind = etype.split(".", 1)[1]
            if kind in ("drawn", "interest_posted", "fee_posted"):
                facility[1] += usd(p["amount"])
            elif kind in ("repaid", "recovery_posted", "written_off"):
                facility[1] -= usd(p["amount"])
            if kind in ("closed", "written_off") or (
                etype.startswith("loan.") and facility[1] <= 0
            ):
                facility[2] = 0
        elif etype == "receipt.pledged" and actor == participant:
            f["pledged"].add(seq)
        elif etype == "receipt.released" and f["pledged"].seqs:
            f["pledged"].add(seq, -1)
    for seq, amount in invoices.values():
        f["unpaid"].add(seq)
        f["unpaid_usd"].add(seq, amount)
    open_ = [v for v in facilities.values() if v[2]]
    limit, balance = sum(v[0] for v in open_), sum(max(v[1], 0) for v in open_)
    facility_seqs = [s for v in open_ for s in v[3:]]
    paid, reviews = f["paid"].value, f["reviews"].value
    owed = {"amount_minor": int(f["unpaid_usd"].value) + balance, "currency": "USD"}
    return {
        "payment_record": {
            "invoices_paid": _fig(int(paid), f["paid"].seqs),
            "on_time_share": _fig(_share(f["paid_on_time"].value, paid), f["paid"].seqs),
            "days_beyond_terms": _fig(_share(f["days_late"].value, paid), f["days_late"].seqs),
            "invoices_unpaid": _fig(int(f["unpaid"].value), f["unpaid"].seqs),
        },
        "channel_distribution": {
            "channels": _fig(dict(channels.most_common()), channel_seqs),
            "countries": _fig(dict(countries.most_common()), channel_seqs),
        },
        "capital_status": {
            "open_obligations": _fig(owed, f["unpaid"].seqs + facility_seqs),
            "facilities_open": _fig(len(open_), facility_seqs),
            "utilisation": _fig(_share(balance, limit), facility_seqs),
            "pledged_receipts": _fig(int(f["pledged"].value), f["pledged"].seqs),
        },
        "reputation": {
            "disputes": _fig(int(f["disputes"].value), f["disputes"].seqs),
            "reviews_given": _fig(int(reviews), f["reviews"].seqs),
            "mean_rating_given": _fig(_share(f["rating"].value, reviews), f["rating"].seqs),
            "claims_rejected_by_it": _fig(
                int(f["rejected_by_them"].value), f["rejected_by_them"].seqs
            ),
            "its_claims_rejected": _fig(
                int(f["rejected_of_theirs"].value), f["rejected_of_theirs"].seqs
            ),
            "tenure_days": _fig((as_of - first).days if first else None, f["first"].seqs),
        },
    }


def _share(num: float, den: float) -> float | None:
    return num / den if den else None


def _fig(value: Any, seqs: list[int]) -> dict[str, Any]:
    """A figure and the entries behind it (at most ``MAX_EVIDENCE``, with the count)."""
    return {"value": value, "entries": sorted(seqs)[:MAX_EVIDENCE], "count": len(seqs)}
