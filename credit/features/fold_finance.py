"""Finance handlers of the feature pass: payments, applications, facilities, pledges.

A facility's balance is what the ledger says it is: drawn (or disbursed) + interest + fees
- repaid - recovered - written off, all from the lender's entries; a line is open until it
is closed, a loan until nothing is owed on it.
"""

from __future__ import annotations

from sys import intern
from typing import TYPE_CHECKING

from credit.features.party import PAYMENT, Facility
from credit.features.party import usd as _usd

if TYPE_CHECKING:
    from credit.features.fold import Body, Fold, Handler

BAD_DPD = 90


def _payment(f: Fold, body: Body, p: Body, occ: str) -> None:
    payer, payee = f.party(str(p["payer"])), f.party(str(p["payee"]))
    if occ >= f.half_year and (p.get("purpose") == "invoice" or "invoice_id" in p):
        late = int(p.get("days_late", 0))
        payee.c["recv_180"] += 1
        payee.c["recv_late_180"] += 1 if late > 0 else 0
        payer.c["paid_180"] += 1
        payer.c["paid_late_days_180"] += late
    if occ <= f.mature_by:
        f.follow(str(body["id"]), payer, PAYMENT)
        payer.c["paid_mature"] += 1


def _application(f: Fold, body: Body, p: Body, occ: str) -> None:
    applicant = str(p["applicant"])
    f.applications[str(p["application_id"])] = intern(applicant)
    party = f.party(applicant)
    party.c["apps_90"] += 1 if occ >= f.recent else 0
    party.c["apps_7"] += 1 if occ >= f.week else 0


def _decision(f: Fold, body: Body, p: Body, occ: str) -> None:
    applicant = p.get("applicant") or f.applications.get(str(p["application_id"]))
    if applicant is not None and p["decision"] == "declined" and occ >= f.recent:
        f.party(str(applicant)).c["declines_90"] += 1


def _facility(f: Fold, body: Body, key: str) -> Facility:
    fid = str(body["payload"][key])
    facility = f.facilities.get(fid)
    if facility is None:
        subjects = body.get("subjects") or [body["actor"]]
        facility = f.facilities[fid] = Facility(str(subjects[0]), 0)
    return facility


def _opened(f: Fold, body: Body, p: Body, occ: str) -> None:
    f.facilities[str(p["line_id"])] = Facility(str(p["borrower"]), _usd(p["limit"]))


def _disbursed(f: Fold, body: Body, p: Body, occ: str) -> None:
    principal = _usd(p["principal"])
    f.facilities[str(p["loan_id"])] = Facility(str(p["borrower"]), principal, principal)


def _acts(key: str) -> dict[str, Handler]:
    def grows(f: Fold, body: Body, p: Body, occ: str) -> None:
        facility = _facility(f, body, key)
        facility.balance += _usd(p["amount"])
        if p.get("fee") == "late_payment" and occ >= f.half_year:
            f.party(facility.borrower).c["late_fees_180"] += 1

    def shrinks(f: Fold, body: Body, p: Body, occ: str) -> None:
        facility = _facility(f, body, key)
        facility.balance -= _usd(p["amount"])
        if body["type"].endswith(".repaid") and occ >= f.half_year:
            f.party(facility.borrower).c["repaid_180"] += _usd(p["amount"])
        if (key == "loan_id" and facility.balance <= 0) or body["type"].endswith("written_off"):
            facility.open = False

    def past_due(f: Fold, body: Body, p: Body, occ: str) -> None:
        facility = _facility(f, body, key)
        dpd = int(p["days_past_due"])
        party = f.party(facility.borrower)
        if occ >= f.half_year:
            party.c["past_due_180"] += 1
            party.c["dpd_max_180"] = max(party.c["dpd_max_180"], dpd)
        if dpd >= BAD_DPD:
            f.bad.add(facility.borrower)

    def defaulted(f: Fold, body: Body, p: Body, occ: str) -> None:
        facility = _facility(f, body, key)
        f.party(facility.borrower).c["defaults"] += 1
        f.bad.add(facility.borrower)

    kind = "credit_line" if key == "line_id" else "loan"
    return {
        f"{kind}.drawn": grows,
        f"{kind}.interest_posted": grows,
        f"{kind}.fee_posted": grows,
        f"{kind}.repaid": shrinks,
        f"{kind}.recovery_posted": shrinks,
        f"{kind}.written_off": shrinks,
        f"{kind}.past_due": past_due,
        f"{kind}.defaulted": defaulted,
    }


def _closed(f: Fold, body: Body, p: Body, occ: str) -> None:
    _facility(f, body, "line_id").open = False


def _issued(f: Fold, body: Body, p: Body, occ: str) -> None:
    f.receipts[str(p["receipt_id"])] = intern(str(p["holder"]))


def _pledged(f: Fold, body: Body, p: Body, occ: str) -> None:
    f.party(str(body["actor"])).pledged.add(str(p["receipt_id"]))


def _released(f: Fold, body: Body, p: Body, occ: str) -> None:
    rid = str(p["receipt_id"])
    holder = f.receipts.get(rid)
    if holder is not None:
        f.party(holder).pledged.discard(rid)


def _margin_called(f: Fold, body: Body, p: Body, occ: str) -> None:
    if occ >= f.half_year:
        f.party(_facility(f, body, "loan_id").borrower).c["margin_180"] += 1


HANDLERS: dict[str, Handler] = {
    "payment.made": _payment,
    "credit.application": _application,
    "credit.decision": _decision,
    "credit_line.opened": _opened,
    "credit_line.closed": _closed,
    "loan.disbursed": _disbursed,
    "receipt.issued": _issued,
    "receipt.pledged": _pledged,
    "receipt.released": _released,
    "loan.margin_called": _margin_called,
    **_acts("line_id"),
    **_acts("loan_id"),
}
