"""Automatic credit decisions end to end: application, score, fraud score, policy, record.

:meth:`DecisionDesk.decide` takes the applicant's signed ``credit.application`` (and,
optionally, its signed ``consent.granted`` to the lender) and, in order:

1. checks the parties: the caller is the applicant or the lender it applies to; every event
   is the applicant's; the lender has placed a decision key here (:mod:`.decision_keys`);
   an application id is used by one application only (resubmitting the same signed
   application answers the decision already recorded);
2. checks consent: scoring an applicant for a lender needs what the credit routes need, the
   applicant's consent to that lender with scope ``score`` in force: already on the ledger,
   or granted by the consent event sent with the application (appended with it, in the
   same unit of work). Applying is not taken as consent: the application says what is
   asked, the consent what may be read and until when, and the applicant revokes it apart;
3. scores the applicant with the credit service's scorer at the newest signed checkpoint
   (features and score cached per checkpoint and participant; CPU work, outside the lock);
4. in one unit of work: appends the application (and consent), reads the live fraud score
   (``lending.fraud``: logins, devices, applications elsewhere), the exposure and active
   defaults (``lending.credit_lines``), the borrowing base when the application names a
   pledged receipt (``finance.receipts``), runs the lender's policy, appends the
   ``credit.decision`` signed with the lender's decision key, and records the read of the
   applicant's score in its access log (under the consent);
5. answers the decision with its rules and up to four adverse-action reasons in words.

Every refusal raises before the unit of work commits, so nothing is written.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select

from credit.errors import CreditError
from credit.features.scan import compute
from finance_api.lending.assessments import from_score
from finance_api.lending.borrowing_base import borrowing_base
from finance_api.lending.decision_reads import (
    OUTCOME,
    application_row,
    decision_json,
    decision_rows,
    may_see,
    policy_of,
)
from finance_api.lending.decision_tables import DecisionRow
from finance_api.lending.decisions import decision_event
from finance_api.lending.fraud_live import fraud_for
from finance_api.lending.rules.adverse import FEATURE_CODES
from finance_api.lending.rules.policy import (
    EVENT_DECISION,
    Application,
    Decision,
    FixedAssessment,
    Outcome,
    decide,
    override,
)
from finance_api.lending.underwrite import facts
from finance_api.routers.credit_service import CreditService, as_ledger_error
from ledger.core.access import Caller
from ledger.core.errors import Conflict, Forbidden, InvalidEvent, NotFound
from ledger.core.events import Event, parse_timestamp
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from ledger.storage import reads
from ledger.trust.access import consents_to, record_read

CACHE = 4096
REVENUE_FEATURE = "info_order_value_90d"  # dollars over 90 days: x2 for six months, x100 minor


class NoDecisionKey(Conflict):
    code = "no_decision_key"


class ConsentRequired(Forbidden):
    code = "consent_required"


class DecisionDesk:
    def __init__(self, keys: Mapping[str, SigningKey]) -> None:
        self.keys = dict(keys)
        self._cache: OrderedDict[tuple[int, str], tuple[dict[str, Any] | None, int]] = OrderedDict()
        self._lock = threading.Lock()
        # Writers queue here, in order, rather than in SQLite's busy handler (which sleeps
        # and retries, so under load some requests wait a second behind later ones).
        self._write_lock = threading.Lock()

    def key_of(self, lender: str) -> SigningKey:
        key = self.keys.get(lender)
        if key is None:
            raise NoDecisionKey(f"{lender} has placed no decision key with this service",
                                field="payload.lender")  # fmt: skip
        return key

    # -- the score ------------------------------------------------------------------------
    def assess(self, ledger: Ledger, credit: CreditService, applicant: str
               ) -> tuple[dict[str, Any] | None, int]:  # fmt: skip
        """The scorer's answer (None: no file at the checkpoint) and six months' revenue."""
        size = ledger.known_sizes()[1] or ledger.latest_checkpoint_size() or ledger.size()
        with self._lock:
            hit = self._cache.get((size, applicant))
        if hit is not None:
            return hit
        try:
            table = compute(ledger, size, [applicant])
            known = applicant in table.frame.index
            shown = credit.scorer.score_table(table, [applicant])[0] if known else None
        except CreditError as exc:
            raise as_ledger_error(exc) from None
        revenue = 0
        if known and REVENUE_FEATURE in table.frame.columns:
            value = float(table.frame.at[applicant, REVENUE_FEATURE])  # type: ignore[arg-type]
            revenue = max(0, round(value * 200)) if value == value else 0  # NaN: none
        with self._lock:
            self._cache[(size, applicant)] = (shown, revenue)
            while len(self._cache) > CACHE:
                self._cache.popitem(last=False)
        return shown, revenue

    # -- deciding -------------------------------------------------------------------------
    def decide(self, ledger: Ledger, credit: CreditService, caller: Caller,
               events: Sequence[Event]) -> tuple[dict[str, Any], bool]:  # fmt: skip
        """The decision as JSON, and whether it was made now (False: recorded before)."""
        application, consent = _split(events)
        ledger.prepare(list(events))  # schemas and signatures first, naming the caller's index
        p = application.payload
        applicant, lender = str(p["applicant"]), str(p["lender"])
        if caller.participant_id not in (applicant, lender):
            raise Forbidden(f"only {applicant} or {lender} may submit this application",
                            field="payload.applicant")  # fmt: skip
        key = self.key_of(lender)
        if consent is not None:
            _check_consent_event(consent, applicant, lender, ledger)
        application_id = str(p["application_id"])
        with ledger.reading() as connection:
            earlier = _earlier(connection, application, application_id, lender)
            if earlier is not None:
                return earlier, False
            policy = policy_of(connection, lender)
            consent_id = (str(consent.payload["consent_id"]) if consent is not None else
                          consents_to(connection, lender, "score", ledger.clock.now(),
                                      applicant).get(applicant))  # fmt: skip
        if consent_id is None:
            raise ConsentRequired(
                f"{applicant} has no consent in force letting {lender} read its score "
                "(send a consent.granted with scope score beside the application)",
                field="consent",
            )
        shown, revenue = self.assess(ledger, credit, applicant)
        assessment = (from_score(shown, FEATURE_CODES) if shown is not None else
                      FixedAssessment(pd_ppm=0, model_version=credit.scorer.version))  # fmt: skip
        now = ledger.clock.now()
        requested = p["requested"]
        with self._write_lock, ledger.unit_of_work() as uow:
            uow.lock()  # the facts are read under the sequencer lock: nothing moves under them
            c = uow.connection
            known = facts(c, applicant, lender)
            fraud = fraud_for(c, applicant, lender, application.occurred_at)
            base = None
            if p.get("receipt_id") is not None:
                base = borrowing_base(c, applicant, lender, str(requested["currency"]),
                                      str(p["receipt_id"]))  # fmt: skip
            app = Application(application_id, applicant, lender,
                              int(requested["amount_minor"]), str(requested["currency"]),
                              str(p["product"]), revenue_6m=revenue,
                              existing_exposure=known.existing_exposure,
                              active_default=known.active_default, fraud_points=fraud.points,
                              fraud_reasons=fraud.reasons, borrowing_base=base,
                              thin_file=shown is None)  # fmt: skip
            decision = decide(app, assessment, policy)
            event = decision_event(decision, key, max(now, application.occurred_at))
            entry = uow.append([*events, event])[-1]  # one write: application, consent, decision
            record_read(c, lender, applicant, "credit",
                        f"automatic decision {event.id} on {application_id}: score at tree "
                        f"size {decision.checkpoint[0] if decision.checkpoint else 'none'}",
                        consent_id, now)  # fmt: skip
            uow.commit()
        body = decision_json(entry, (shown or {}).get("reasons", []))
        body.update(application_id=application_id, applicant=applicant,
                    score=None if shown is None else shown["score"],
                    fraud={"points": fraud.points, "reasons": list(fraud.reasons)},
                    borrowing_base=base)  # fmt: skip
        return body, True

    # -- overriding -----------------------------------------------------------------------
    def override(self, ledger: Ledger, caller: Caller, decision_id: str, outcome: Outcome,
                 limit: int | None, reason: str) -> dict[str, Any]:  # fmt: skip
        """The lender's override of one of its decisions, recorded as a ``credit.decision``
        naming it (``override_of``) and the lender's reason; the rules, model and PD of the
        decision overridden are kept in it."""
        with ledger.reading() as c:
            row = c.execute(select(DecisionRow).where(DecisionRow.event_id == decision_id)).first()
            app = None if row is None else application_row(c, row.application_id)
            if row is None or app is None or not may_see(caller, app.applicant, row.lender):
                raise NotFound(f"no decision {decision_id} you may see", field="decision_id")
            if caller.participant_id != row.lender:
                raise Forbidden("only the lender that decided overrides", field="decision_id")
            entry = reads.entry(c, row.seq)
        key = self.key_of(row.lender)
        p = entry.event.payload
        was: Outcome = OUTCOME[str(p["decision"])]  # type: ignore[assignment]
        old_limit = int(p["limit"]["amount_minor"]) if "limit" in p else 0
        base = Decision(Application(app.application_id, app.applicant, row.lender,
                                    app.requested_minor, app.currency, app.product),
                        was, old_limit, (), tuple(p.get("reasons", ())), int(p.get("pd_ppm", 0)),
                        str(p.get("model_version", "manual")), None)  # fmt: skip
        new = override(base, outcome, reason, limit)
        body = {k: v for k, v in p.items()
                if k not in ("limit", "reasons", "reason", "override_of", "decision")}  # fmt: skip
        body.update(decision=EVENT_DECISION[new.outcome], override_of=decision_id,
                    reason=f"override of {was}: {new.override_reason}")  # fmt: skip
        if new.outcome != "decline":
            body["limit"] = {"amount_minor": new.limit, "currency": app.currency}
        if new.reasons:
            body["reasons"] = list(new.reasons)
        event = Event.create(key, flow="finance", type="credit.decision", actor=row.lender,
                             payload=body, occurred_at=ledger.clock.now(),
                             subjects=[app.applicant], event_id=str(uuid.uuid4()))  # fmt: skip
        appended = ledger.append(event)
        shown = decision_json(ledger.entry(appended.seq))
        shown.update(application_id=app.application_id, applicant=app.applicant)
        return shown


def _split(events: Sequence[Event]) -> tuple[Event, Event | None]:
    apps = [e for e in events if e.type == "credit.application"]
    consents = [e for e in events if e.type == "consent.granted"]
    if len(apps) != 1 or len(consents) > 1 or len(apps) + len(consents) != len(events):
        raise InvalidEvent("send one credit.application and at most one consent.granted",
                           field="events")  # fmt: skip
    return apps[0], (consents[0] if consents else None)


def _check_consent_event(consent: Event, applicant: str, lender: str, ledger: Ledger) -> None:
    p = consent.payload
    if (p["subject"], p["grantee"]) != (applicant, lender) or "score" not in p["scope"]:
        raise ConsentRequired(f"the consent must be {applicant}'s to {lender} with scope score",
                              field="consent.payload")  # fmt: skip
    expires = parse_timestamp(p["expires_at"], field="consent.payload.expires_at")
    if expires <= ledger.clock.now():
        raise ConsentRequired("the consent has expired", field="consent.payload.expires_at")


def _earlier(connection: Connection, application: Event, application_id: str, lender: str
             ) -> dict[str, Any] | None:  # fmt: skip
    """The decision already recorded for this very application (a resubmission)."""
    row = application_row(connection, application_id)
    if row is None:
        return None
    if row.event_id != application.id:
        raise Conflict(f"application {application_id} was submitted already",
                       field="payload.application_id")  # fmt: skip
    rows = decision_rows(connection, application_id, lender)
    if not any(row.automatic for row in rows):
        return None
    entries = [reads.entry(connection, int(rows[-1].seq))]
    body = decision_json(entries[-1])
    body.update(application_id=application_id, applicant=row.applicant)
    return body
