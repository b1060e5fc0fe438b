"""Who may say what, on SQLite and PostgreSQL: authority, confirmations, consents.

Each refusal is a 403 naming the rule (or a 4xx naming the field) and writes nothing. A
ledger into which an unauthorised entry was forced — appended by a sequencer whose rules
were switched off, every hash consistent — fails verification at that entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from ledger.audit.database import verify_database
from ledger.core.access import Caller
from ledger.core.errors import (
    Conflict,
    InvalidEvent,
    NotAuthorised,
    NotFound,
    VerificationFailed,
)
from ledger.core.events import Event
from ledger.log import Ledger
from ledger.storage import reads, sequencer
from ledger.storage.query import EntryQuery
from ledger.trust import access
from ledger.trust.claims import confirmations
from tests.ledger.scenario import (
    BUYER,
    CARRIER,
    LENDER,
    SELLER,
    T0,
    WAREHOUSE,
    key_for,
    open_ledger,
)

AT = T0 + timedelta(days=10)
USD = {"amount_minor": 125_000, "currency": "USD"}


def make(actor: str, flow: str, etype: str, payload: dict[str, Any], tag: str) -> Event:
    return Event.create(
        key_for(actor),
        flow=flow,
        type=etype,
        actor=actor,
        payload=payload,
        occurred_at=AT,
        subjects=sorted({v for v in payload.values() if isinstance(v, str) and "-" in v} - {actor}),
        event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"authority/{tag}")),
    )


@pytest.fixture
def firms(registered: Ledger) -> Ledger:
    return registered


def payment(payer: str, payee: str, tag: str, *, actor: str | None = None) -> Event:
    body = {"payment_id": f"pay-{tag}", "amount": USD, "payer": payer, "payee": payee}
    return make(actor or payer, "finance", "payment.made", body, tag)


UNAUTHORISED: list[tuple[str, Callable[[], Event], str, str]] = [
    (
        "a default declared about another firm by a seller",
        lambda: make(
            SELLER, "finance", "loan.defaulted",
            {"loan_id": "loan-x", "amount": USD, "lender": SELLER}, "default",
        ),
        "actor",
        "role lender",
    ),
    (
        "a payment with someone else as payer",
        lambda: payment(BUYER, SELLER, "other-payer", actor=SELLER),
        "payload.payer",
        "must name the actor",
    ),
    (
        "a receipt issued by a seller",
        lambda: make(
            SELLER, "finance", "receipt.issued",
            {"receipt_id": "wr-x", "warehouse_id": SELLER, "holder": SELLER, "lot_id": "lot-x",
             "commodity": "copper", "quantity": 10, "value": USD, "document_hash": "ab" * 32},
            "receipt",
        ),
        "actor",
        "role warehouse",
    ),
    (
        "customs clearance by a carrier",
        lambda: make(
            CARRIER, "logistics", "customs.cleared",
            {"declaration_id": "d-1", "shipment_id": "s-1", "country": "DE"}, "customs",
        ),
        "actor",
        "role customs",
    ),
    (
        "a certificate naming an inspection company, signed by a seller",
        lambda: make(
            SELLER, "information", "certification.issued",
            {"certificate_id": "c-1", "standard": "ISO 9001", "issuer": "inspect-co"}, "cert",
        ),
        "actor",
        "role inspector or platform",
    ),
    (
        "a pledge by a warehouse of a seller's receipt",
        lambda: make(
            WAREHOUSE, "finance", "receipt.pledged",
            {"receipt_id": "wr-1", "lender": LENDER, "holder": SELLER}, "pledge",
        ),
        "actor",
        "role buyer or seller",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "build", "field", "reason"), UNAUTHORISED, ids=[c[0] for c in UNAUTHORISED]
)
def test_an_unauthorised_claim_is_refused_and_writes_nothing(
    firms: Ledger, name: str, build: Callable[[], Event], field: str, reason: str
) -> None:
    size = firms.size()
    with pytest.raises(NotAuthorised) as caught:
        firms.append(build())
    assert caught.value.status == 403
    assert caught.value.field == field
    assert reason in caught.value.detail
    assert "rule:" in caught.value.detail
    assert firms.size() == size


def test_a_currency_that_is_not_iso_4217_is_refused(firms: Ledger) -> None:
    bad = payment(BUYER, SELLER, "zzz")
    body = bad.body()
    body["payload"]["amount"]["currency"] = "ZZZ"
    forged = Event.create(
        key_for(BUYER), flow="finance", type="payment.made", actor=BUYER,
        payload=body["payload"], occurred_at=AT, subjects=[SELLER], event_id=bad.id,
    )  # fmt: skip
    with pytest.raises(InvalidEvent, match="ISO 4217") as caught:
        firms.append(forged)
    assert caught.value.field == "payload.amount.currency"


def _confirm(party: str, claim: Event, tag: str, etype: str = "claim.confirmed") -> Event:
    return make(party, claim.flow, etype, {"claim_id": claim.id, "party": party}, tag)


def _status(ledger: Ledger, claim: Event) -> str | None:
    entries = ledger.query(EntryQuery(type=claim.type, limit=1000)).entries
    [seq] = [e.seq for e in entries if e.event.id == claim.id]
    with ledger.reading() as connection:
        state = confirmations(connection, [seq]).get(seq)
    return None if state is None else str(state["status"])


def test_a_claim_stays_unconfirmed_until_the_bound_party_signs(firms: Ledger) -> None:
    paid = payment(BUYER, SELLER, "confirm-me")
    firms.append(paid)
    assert _status(firms, paid) == "pending"
    pending = firms.query(EntryQuery(claim_status="pending", limit=1000)).entries
    assert paid.id in {e.event.id for e in pending}

    size = firms.size()
    with pytest.raises(InvalidEvent, match="does not bind"):
        firms.append(_confirm(LENDER, paid, "wrong-party"))  # the lender is not the payee
    with pytest.raises(NotAuthorised):
        firms.append(make(BUYER, "finance", "claim.confirmed",
                          {"claim_id": paid.id, "party": SELLER}, "as-someone-else"))  # fmt: skip
    assert firms.size() == size

    firms.append(_confirm(SELLER, paid, "right-party"))
    assert _status(firms, paid) == "confirmed"
    confirmed = firms.query(EntryQuery(claim_status="confirmed", limit=1000)).entries
    assert paid.id in {e.event.id for e in confirmed}
    with pytest.raises(Conflict, match="confirmed claim"):
        firms.append(_confirm(SELLER, paid, "twice"))


def test_a_rejected_claim_is_rejected_and_answers_to_nothing_are_refused(firms: Ledger) -> None:
    paid = payment(BUYER, SELLER, "reject-me")
    firms.append(paid)
    firms.append(_confirm(SELLER, paid, "reject", "claim.rejected"))
    assert _status(firms, paid) == "rejected"
    size = firms.size()
    ghost = payment(BUYER, SELLER, "never-appended")
    with pytest.raises(NotFound, match="no claim"):
        firms.append(_confirm(SELLER, ghost, "ghost"))
    placed = {"order_id": "o-9", "seller": SELLER, "buyer": BUYER, "total": USD}
    order = make(BUYER, "information", "order.placed", placed, "plain")
    firms.append(order)
    with pytest.raises(NotFound, match="no claim"):  # an order needs no confirmation
        firms.append(_confirm(SELLER, order, "not-a-claim"))
    assert firms.size() == size + 1


def _consent(subject: str, lender: str, tag: str, *, days: int = 30) -> Event:
    return make(
        subject, "information", "consent.granted",
        {"consent_id": f"consent-{tag}", "subject": subject, "grantee": lender,
         "scope": ["entries", "score"], "expires_at": (AT + timedelta(days=days)).isoformat()
         .replace("+00:00", "Z")},
        tag,
    )  # fmt: skip


def test_consent_is_granted_and_revoked_by_its_subject_only(firms: Ledger) -> None:
    firms.append(_consent(SELLER, LENDER, "c1"))
    size = firms.size()
    again = make(SELLER, "information", "consent.granted", dict(_consent(SELLER, LENDER, "c1")
                 .payload), "c1-again")  # fmt: skip
    with pytest.raises(Conflict, match="granted already"):
        firms.append(again)
    with pytest.raises(NotFound, match="granted no consent"):
        firms.append(make(BUYER, "information", "consent.revoked",
                          {"consent_id": "consent-c1", "subject": BUYER}, "not-mine"))  # fmt: skip
    assert firms.size() == size
    firms.append(make(SELLER, "information", "consent.revoked",
                      {"consent_id": "consent-c1", "subject": SELLER}, "revoke"))  # fmt: skip
    with pytest.raises(Conflict, match="revoked already"):
        firms.append(make(SELLER, "information", "consent.revoked",
                          {"consent_id": "consent-c1", "subject": SELLER}, "revoke-2"))  # fmt: skip


def test_a_forced_unauthorised_entry_fails_verification(
    registered_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_ledger(registered_url) as ledger:
        ledger.append(payment(BUYER, SELLER, "fine"))
        verify_database(registered_url)
        monkeypatch.setattr(sequencer, "authorise", lambda *_: None)  # the rules switched off
        forced = ledger.append(payment(BUYER, SELLER, "forced", actor=SELLER))
        monkeypatch.undo()
    with pytest.raises(VerificationFailed) as caught:
        verify_database(registered_url)
    assert caught.value.seq == forced.seq
    assert "payload.payer must name the actor" in str(caught.value)


def test_visibility_follows_consent_on_the_store(firms: Ledger) -> None:
    """The read rules as SQL, on each backend: own entries; a lender's consented subjects."""
    paid = payment(BUYER, SELLER, "visible")
    firms.append(paid)
    lender = Caller(LENDER, frozenset({"lender"}))
    carrier = Caller(CARRIER, frozenset({"carrier"}))
    auditor = Caller("auditor-01", frozenset({"auditor"}))

    def seen_by(caller: Caller, at: datetime) -> set[str]:
        with firms.reading() as connection:
            rules = access.visibility(connection, caller, at)
            query = EntryQuery(limit=1000, visible_to=None if rules.everything else rules.refs)
            return {e.event.id for e in reads.page(connection, query).entries}

    assert paid.id not in seen_by(lender, AT)
    assert paid.id not in seen_by(carrier, AT)
    assert paid.id in seen_by(auditor, AT)
    firms.append(_consent(SELLER, LENDER, "consent-for-visible", days=5))
    assert paid.id in seen_by(lender, AT + timedelta(days=1))
    assert paid.id not in seen_by(lender, AT + timedelta(days=6))  # expired by then
    assert paid.id not in seen_by(carrier, AT + timedelta(days=1))


def test_a_claim_and_its_confirmation_in_one_batch(firms: Ledger) -> None:
    paid = payment(BUYER, SELLER, "same-batch")
    entries = firms.append_batch([paid, _confirm(SELLER, paid, "same-batch-ok")])
    assert [e.replayed for e in entries] == [False, False]
    assert _status(firms, paid) == "confirmed"
    twice = payment(BUYER, SELLER, "same-batch-twice")
    size = firms.size()
    with pytest.raises(Conflict, match="confirmed claim"):
        firms.append_batch(
            [twice, _confirm(SELLER, twice, "tw-1"), _confirm(SELLER, twice, "tw-2")]
        )
    assert firms.size() == size
    report = verify_database(firms.engines.url)  # the projection equals its replay
    assert report.projections["trust.claims"] > 0
