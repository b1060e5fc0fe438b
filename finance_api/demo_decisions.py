"""The demo's automatic credit decisions: an approval, a referral and a decline with reasons.

Run after the credit model is trained on the demo ledger. The demo lender places a
decision key of its own with the service (registered on the ledger by the operator, its
file beside the models, pointed at by ``THREEFLOW_CREDIT_DECISION_KEYS_DIR`` so the served
API decides too) and sets its policy; three sellers apply for a credit line, each with its
consent to be scored; the decision desk (the same code as ``POST /v1/credit/applications``)
scores them at the newest checkpoint, reads their live fraud score and exposure, and records
each ``credit.decision`` signed with that key. The three applicants are the sellers whose
PDs fall below, inside and above the lender's referral band, among those in good standing
(no default, 90 days past due or insolvency by then), so the PD is what decides.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from credit.features import compute
from credit.scoring.scorer import Scorer, load
from finance_api.demo_credit import LENDER, SCORER, SEED
from finance_api.lending.alert_tables import every_alert
from finance_api.lending.decision_desk import DecisionDesk
from finance_api.lending.decision_keys import ENV
from finance_api.lending.decision_reads import set_policy
from finance_api.lending.line_tables import CreditLineRow
from finance_api.routers.credit_service import CreditService
from ledger.core.access import Caller
from ledger.core.events import Event, format_timestamp
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from simulations.signer import agent_key

ASKED = 2_000_000  # US$20,000.00 of revolving credit


def _decision_key() -> SigningKey:
    return SigningKey(hashlib.sha256(f"threeflow demo decision key: {LENDER}".encode()).digest())


def _band(pds: list[int]) -> tuple[int, int]:
    """A referral band with sellers below, inside and above it: the lender's defaults
    (8% and 15%) when this world's PDs straddle them, else its 40th and 80th percentiles."""
    ordered = sorted(pds)
    refer, decline = 80_000, 150_000
    if (
        any(pd <= refer for pd in pds)
        and any(refer < pd <= decline for pd in pds)
        and any(pd > decline for pd in pds)
    ):
        return refer, decline
    return ordered[len(ordered) * 2 // 5], ordered[len(ordered) * 4 // 5]


def _events(applicant: str, at: Any, n: int, seed: int) -> list[Event]:
    key = agent_key(seed, applicant)
    tag = uuid.uuid5(uuid.NAMESPACE_URL, f"threeflow/demo-decisions/{applicant}/{n}")
    consent = Event.create(key, flow="information", type="consent.granted", actor=applicant,
                           payload={"consent_id": f"demo-decision-consent-{tag}",
                                    "subject": applicant, "grantee": LENDER, "scope": ["score"],
                                    "expires_at": format_timestamp(at + timedelta(days=30))},
                           occurred_at=at, subjects=[LENDER])  # fmt: skip
    application = Event.create(key, flow="finance", type="credit.application", actor=applicant,
                               payload={"application_id": f"demo-application-{tag}",
                                        "applicant": applicant, "lender": LENDER,
                                        "product": "credit_line",
                                        "requested": {"amount_minor": ASKED, "currency": "USD"}},
                               occurred_at=at, subjects=[LENDER])  # fmt: skip
    return [application, consent]


def _row(body: dict[str, Any]) -> str:
    limit = body.get("limit") or {}
    granted = f", limit US${int(limit['amount_minor']) / 100:,.2f}" if limit else ""
    reasons = "; ".join(r["text"] for r in body["reasons"])  # adverse.in_words: code, text
    return (f"{body['applicant']}: PD {int(body['pd_ppm'] or 0) / 10_000:.1f}%{granted}"
            + (f"; reasons: {reasons}" if reasons else "")
            + f" (GET /v1/credit/applications/{body['application_id']})")  # fmt: skip


def run(ledger: Ledger, model_folder: Path, keys_dir: Path, seed: int = SEED
        ) -> list[tuple[str, str]]:  # fmt: skip
    """Decide three applications; return the rows the demo prints (what, value). ``seed``
    is the simulation's, from which its participants' keys are derived."""
    scorer = Scorer(load(model_folder))
    credit = CreditService(scorer, SCORER, agent_key(seed, SCORER))
    key = _decision_key()
    now = ledger.clock.now()
    ledger.add_key(LENDER, key.public_key, now)
    keys_dir.mkdir(parents=True, exist_ok=True)
    path = keys_dir / f"{LENDER}.key"
    path.write_text(key.seed.hex() + "\n")
    path.chmod(0o600)
    os.environ[ENV] = str(keys_dir)
    ledger.checkpoint()
    table = compute(ledger, ledger.latest_checkpoint_size() or None)
    sellers = sorted(p for p, role in table.roles.items() if role == "seller")
    with ledger.reading() as c:  # an active default knocks an application out whatever its PD
        owing = select(CreditLineRow.borrower).where(CreditLineRow.status == "defaulted")
        defaulted = set(c.execute(owing).scalars())
    clean = [p for p in sellers if p not in table.bad_before and p not in defaulted]
    pds = {r["participant"]: int(r["pd_ppm"]) for r in scorer.score_table(table, clean)}
    refer, decline = _band(list(pds.values()))
    set_policy(ledger, LENDER, {"pd_refer_ppm": refer, "pd_decline_ppm": decline}, now)
    picks = {
        "approve": min(pds, key=lambda p: pds[p]),
        "refer": min((p for p in pds if refer < pds[p] <= decline),
                     key=lambda p: abs(pds[p] - (refer + decline) // 2), default=None),
        "decline": max(pds, key=lambda p: pds[p]),
    }  # fmt: skip
    desk = DecisionDesk({LENDER: key})
    policy = (f"{LENDER}: refer over PD {refer / 10_000:.1f}%, decline over "
              f"{decline / 10_000:.1f}%, decision key in {keys_dir}")  # fmt: skip
    rows = [("decision policy", policy)]
    for n, (expected, applicant) in enumerate(picks.items()):
        if applicant is None:
            rows.append((f"automatic {expected}", "no seller of this world in that band"))
            continue
        body, _ = desk.decide(ledger, credit, Caller(applicant, frozenset({"seller"})),
                              _events(applicant, ledger.clock.now(), n, seed))  # fmt: skip
        rows.append((f"automatic decision: {body['outcome']}", _row(body)))
    return rows


def book(ledger: Ledger, lender_key: str, port: int) -> list[tuple[str, str]]:
    """What the lenders' books and risk monitor hold at the end of the demo."""
    alerts = every_alert()
    with ledger.reading() as c:
        lines = dict(c.execute(select(CreditLineRow.status, func.count())
                               .group_by(CreditLineRow.status)).all())  # fmt: skip
        kinds = c.execute(select(alerts.c.kind, func.count()).where(alerts.c.lender == LENDER)
                          .group_by(alerts.c.kind).order_by(func.count().desc())).all()  # fmt: skip
    shown = ", ".join(f"{kind} {n}" for kind, n in kinds[:6])
    return [
        ("credit lines", ", ".join(f"{n} {status}" for status, n in sorted(lines.items()))),
        (f"risk alerts of {LENDER}",
         f"{sum(n for _, n in kinds)} ({shown}): curl -H 'X-API-Key: {lender_key}' "
         f"http://127.0.0.1:{port}/v1/risk/alerts (or /v1/risk/alerts/stream, "
         "/v1/risk/exposure)"),
    ]  # fmt: skip
