"""Finance handlers of the feature pass: payments, applications, facilities, pledges; each
with the payload fields it reads (:mod:`credit.features.body`).

A facility's balance is what the ledger says it is: drawn (or disbursed) + interest + fees
- repaid - recovered - written off, all from the lender's entries; a line is open until it
is closed, a loan until nothing is owed on it.
"""

from __future__ import annotations

from sys import intern
from typing import TYPE_CHECKING, Any

from msgspec import UNSET, Struct

from credit.features.body import Body, Reader, reads
from credit.features.party import PAYMENT, Facility
from credit.features.party import usd as _usd

if TYPE_CHECKING:
    from credit.features.fold import Fold

BAD_DPD = 90


class _Payment(Struct, gc=False):
    payer: Any
    payee: Any
    purpose: Any = None
    invoice_id: Any = UNSET  # tested for presence
    days_late: Any = 0


def _payment(f: Fold, body: Body[_Payment], p: _Payment, occ: str) -> None:
    payer, payee = f.party(str(p.payer)), f.party(str(p.payee))
    if occ >= f.half_year and (p.purpose == "invoice" or p.invoice_id is not UNSET):
        late = int(p.days_late)
        payee.c["recv_180"] += 1
        payee.c["recv_late_180"] += 1 if late > 0 else 0
        payer.c["paid_180"] += 1
        payer.c["paid_late_days_180"] += late
    if occ <= f.mature_by:
        f.follow(body.id, payer, PAYMENT)
        payer.c["paid_mature"] += 1


class _Application(Struct, gc=False):
    application_id: Any
    applicant: Any


def _application(f: Fold, body: Body[_Application], p: _Application, occ: str) -> None:
    applicant = str(p.applicant)
    f.applications[str(p.application_id)] = intern(applicant)
    party = f.party(applicant)
    party.c["apps_90"] += 1 if occ >= f.recent else 0
    party.c["apps_7"] += 1 if occ >= f.week else 0


class _Decision(Struct, gc=False):
    application_id: Any
    decision: Any
    applicant: Any = None


def _decision(f: Fold, body: Body[_Decision], p: _Decision, occ: str) -> None:
    applicant = p.applicant or f.applications.get(str(p.application_id))
    if applicant is not None and p.decision == "declined" and occ >= f.recent:
        f.party(str(applicant)).c["declines_90"] += 1


def _facility(f: Fold, body: Body[Any], fid: str) -> Facility:
    facility = f.facilities.get(fid)
    if facility is None:
        subjects = body.subjects or [body.actor]
        facility = f.facilities[fid] = Facility(str(subjects[0]), 0)
    return facility


class _Opened(Struct, gc=False):
    line_id: Any
    borrower: Any
    limit: Any


def _opened(f: Fold, body: Body[_Opened], p: _Opened, occ: str) -> None:
    f.facilities[str(p.line_id)] = Facility(str(p.borrower), _usd(p.limit))


class _Disbursed(Struct, gc=False):
    loan_id: Any
    borrower: Any
    principal: Any


def _disbursed(f: Fold, body: Body[_Disbursed], p: _Disbursed, occ: str) -> None:
    principal = _usd(p.principal)
    f.facilities[str(p.loan_id)] = Facility(str(p.borrower), principal, principal)


def _acts(key: str) -> dict[str, Reader]:
    """The acts on either kind of facility; ``key`` (``line_id``, ``loan_id``) names it."""
    names = {"facility": key}

    class Act(Struct, gc=False, rename=names):
        facility: Any

    class Amount(Struct, gc=False, rename=names):
        facility: Any
        amount: Any

    class Fee(Struct, gc=False, rename=names):
        facility: Any
        amount: Any
        fee: Any = None

    class PastDue(Struct, gc=False, rename=names):
        facility: Any
        days_past_due: Any

    def grows(f: Fold, body: Body[Fee], p: Fee, occ: str) -> None:
        facility = _facility(f, body, str(p.facility))
        facility.balance += _usd(p.amount)
        if p.fee == "late_payment" and occ >= f.half_year:
            f.party(facility.borrower).c["late_fees_180"] += 1

    def shrinks(f: Fold, body: Body[Amount], p: Amount, occ: str) -> None:
        facility = _facility(f, body, str(p.facility))
        facility.balance -= _usd(p.amount)
        if body.type.endswith(".repaid") and occ >= f.half_year:
            f.party(facility.borrower).c["repaid_180"] += _usd(p.amount)
        if (key == "loan_id" and facility.balance <= 0) or body.type.endswith("written_off"):
            facility.open = False

    def past_due(f: Fold, body: Body[PastDue], p: PastDue, occ: str) -> None:
        facility = _facility(f, body, str(p.facility))
        dpd = int(p.days_past_due)
        party = f.party(facility.borrower)
        if occ >= f.half_year:
            party.c["past_due_180"] += 1
            party.c["dpd_max_180"] = max(party.c["dpd_max_180"], dpd)
        if dpd >= BAD_DPD:
            f.bad.add(facility.borrower)

    def defaulted(f: Fold, body: Body[Act], p: Act, occ: str) -> None:
        facility = _facility(f, body, str(p.facility))
        f.party(facility.borrower).c["defaults"] += 1
        f.bad.add(facility.borrower)

    def closed(f: Fold, body: Body[Act], p: Act, occ: str) -> None:
        _facility(f, body, str(p.facility)).open = False

    def margin_called(f: Fold, body: Body[Act], p: Act, occ: str) -> None:
        if occ >= f.half_year:
            f.party(_facility(f, body, str(p.facility)).borrower).c["margin_180"] += 1

    kind = "credit_line" if key == "line_id" else "loan"
    return {
        f"{kind}.drawn": reads(Fee, grows),
        f"{kind}.interest_posted": reads(Fee, grows),
        f"{kind}.fee_posted": reads(Fee, grows),
        f"{kind}.repaid": reads(Amount, shrinks),
        f"{kind}.recovery_posted": reads(Amount, shrinks),
        f"{kind}.written_off": reads(Amount, shrinks),
        f"{kind}.past_due": reads(PastDue, past_due),
        f"{kind}.defaulted": reads(Act, defaulted),
        **({"credit_line.closed": reads(Act, closed)} if kind == "credit_line" else {}),
        **({"loan.margin_called": reads(Act, margin_called)} if kind == "loan" else {}),
    }


class _Receipt(Struct, gc=False):
    receipt_id: Any


class _Issued(Struct, gc=False):
    receipt_id: Any
    holder: Any


def _issued(f: Fold, body: Body[_Issued], p: _Issued, occ: str) -> None:
    f.receipts[str(p.receipt_id)] = intern(str(p.holder))


def _pledged(f: Fold, body: Body[_Receipt], p: _Receipt, occ: str) -> None:
    f.party(str(body.actor)).pledged.add(str(p.receipt_id))


def _released(f: Fold, body: Body[_Receipt], p: _Receipt, occ: str) -> None:
    rid = str(p.receipt_id)
    holder = f.receipts.get(rid)
    if holder is not None:
        f.party(holder).pledged.discard(rid)


HANDLERS: dict[str, Reader] = {
    "payment.made": reads(_Payment, _payment),
    "credit.application": reads(_Application, _application),
    "credit.decision": reads(_Decision, _decision),
    "credit_line.opened": reads(_Opened, _opened),
    "loan.disbursed": reads(_Disbursed, _disbursed),
    "receipt.issued": reads(_Issued, _issued),
    "receipt.pledged": reads(_Receipt, _pledged),
    "receipt.released": reads(_Receipt, _released),
    **_acts("line_id"),
    **_acts("loan_id"),
}
