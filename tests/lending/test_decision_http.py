"""Automatic decisions over HTTP with fixed scorers, on SQLite and PostgreSQL: approve, refer
and decline by the lender's policy, adverse-action reasons, overrides, secured limits from the
borrowing base, fraud at login as a knock-out, and refusals that write nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from finance_api.lending.rules.policy import MAX_REASONS
from ledger.core.event_types.credit import DECLINE_REASONS
from ledger.log import Ledger
from ledger.storage.query import EntryQuery
from tests.ledger.scenario import AUDITOR, BUYER, LENDER, SELLER, key_for
from tests.ledger.stores import Store
from tests.lending.decision_world import (
    DECISION_KEY,
    HOLDER,
    NEWCOMER,
    NOW,
    RECEIPT,
    SHY,
    World,
    application,
    build,
    consent,
    login,
    signed,
)
from tests.lending.lending_events import OTHER_LENDER, PLATFORM

APPLY = "/v1/credit/applications"


@pytest.fixture(scope="module")
def world(store: Store) -> Iterator[World]:
    url = store.new_url()
    ledger, client, built = build(url)
    with client:
        yield built
    ledger.close()
    store.drop(url)


@pytest.fixture(autouse=True)
def _fresh(world: World) -> None:
    world.use(20_000)
    world.client.put("/v1/credit/policy", json={}, headers=world.keys[LENDER])


def _apply(world: World, tag: str, amount: int = 2_000_000, **kw: Any) -> Any:
    return world.post(kw.pop("who", SELLER), APPLY,
                      {"events": [application(tag, amount, **kw), consent(tag=tag)]})  # fmt: skip


def test_a_good_applicant_is_approved_and_the_decision_is_the_lenders_signed_event(
    world: World,
) -> None:
    answer = _apply(world, "dec-approve")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["outcome"], body["limit"]["amount_minor"], body["reasons"]) == (
        "approve", 2_000_000, [])  # fmt: skip
    assert [r.split(":")[0] for r in body["rules"]] == ["fraud_knockout", "active_default",
                                                        "pd_cutoff", "limit"]  # fmt: skip
    assert (body["model_version"], body["pd_ppm"]) == ("fixed/1", 20_000)
    assert body["checkpoint"]["tree_size"] == world.checkpoint
    entry = world.ledger.entry(body["seq"])
    assert (entry.event.type, entry.event.actor) == ("credit.decision", LENDER)
    assert entry.event.key_id == DECISION_KEY.key_id == body["signed_by"]
    assert entry.event.payload["rules"] == body["rules"]
    for who in (SELLER, LENDER, AUDITOR):
        shown = world.get(who, f"{APPLY}/dec-approve")
        assert shown.status_code == 200, shown.text
        assert shown.json()["current"]["decision_id"] == body["decision_id"]
    for who in (OTHER_LENDER, BUYER):
        assert world.get(who, f"{APPLY}/dec-approve").status_code == 404
    assert world.get(SELLER, f"{APPLY}/no-such-application").status_code == 404
    log = world.get(SELLER, "/v1/access-log").json()["records"]
    assert any(r["reader"] == LENDER and body["decision_id"] in r["detail"] for r in log)


def test_the_same_application_again_answers_the_same_decision_and_writes_nothing(
    world: World,
) -> None:
    events = {"events": [application("dec-again", 1_000_000), consent(tag="dec-again")]}
    first = world.post(SELLER, APPLY, events)
    size = world.ledger.size()
    again = world.post(LENDER, APPLY, events)  # the lender may submit the signed application
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["decision_id"] == first.json()["decision_id"]
    assert world.ledger.size() == size


@pytest.mark.parametrize(("pd", "outcome"), [(80_000, "approve"), (100_000, "refer"),
                                             (400_000, "decline")])  # fmt: skip
def test_the_cut_off_and_the_referral_band_decide(world: World, pd: int, outcome: str) -> None:
    world.use(pd)
    body = _apply(world, f"dec-pd-{pd}").json()
    assert body["outcome"] == outcome
    if outcome == "decline":
        assert body["limit"] is None
        assert 1 <= len(body["reasons"]) <= MAX_REASONS
        assert {r["code"] for r in body["reasons"]} <= set(DECLINE_REASONS)
        codes = [r["code"] for r in body["reasons"]]
        assert codes[0] == "delinquency"
        assert "insufficient_history" in codes
        assert "Time on the platform: 109 days" in body["reasons"][1]["text"]
    else:
        assert body["limit"]["amount_minor"] == 2_000_000
        assert body["reasons"] == []


def test_a_lower_limit_than_asked_says_why(world: World) -> None:
    body = _apply(world, "dec-big", 45_000_000).json()
    assert body["outcome"] == "approve"
    assert 0 < body["limit"]["amount_minor"] < 45_000_000
    assert next(r["code"] for r in body["reasons"]) == "low_revenue"


def test_the_lenders_policy_is_its_own_and_validated(world: World) -> None:
    tight = world.client.put("/v1/credit/policy", json={"pd_refer_ppm": 10_000},
                             headers=world.keys[LENDER])  # fmt: skip
    assert tight.status_code == 200, tight.text
    assert world.get(OTHER_LENDER, "/v1/credit/policy").json()["pd_refer_ppm"] == 80_000
    assert _apply(world, "dec-tight").json()["outcome"] == "refer"
    bad = world.client.put("/v1/credit/policy", json={"pd_refer_ppm": 900_000},
                           headers=world.keys[LENDER])  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["field"] == "pd_refer_ppm"
    out_of_range = world.client.put("/v1/credit/policy", json={"fraud_refer": 5000},
                                    headers=world.keys[LENDER])  # fmt: skip
    assert out_of_range.status_code == 422
    assert "fraud_refer" in out_of_range.json()["field"]
    assert world.get(LENDER, "/v1/credit/policy").json()["pd_refer_ppm"] == 10_000
    seller = world.client.put("/v1/credit/policy", json={}, headers=world.keys[SELLER])
    assert seller.status_code == 403


def test_an_override_is_recorded_with_its_reason_by_the_lender_only(world: World) -> None:
    world.use(400_000)
    declined = _apply(world, "dec-override").json()
    path = f"/v1/credit/decisions/{declined['decision_id']}/override"
    size = world.ledger.size()
    for who, status in ((SELLER, 403), (OTHER_LENDER, 404)):
        refused = world.post(who, path, {"outcome": "approve", "limit_minor": 500_000,
                                         "reason": "guarantee"})  # fmt: skip
        assert refused.status_code == status
    blank = world.post(LENDER, path, {"outcome": "approve", "limit_minor": 500_000, "reason": " "})
    assert blank.status_code == 422
    assert blank.json()["field"] == "reason"
    no_limit = world.post(LENDER, path, {"outcome": "approve", "reason": "guarantee"})
    assert no_limit.status_code == 422
    assert no_limit.json()["field"] == "limit"
    assert world.ledger.size() == size
    done = world.post(LENDER, path, {"outcome": "approve", "limit_minor": 500_000,
                                     "reason": "parent company guarantee"})  # fmt: skip
    assert done.status_code == 201, done.text
    body = done.json()
    assert (body["outcome"], body["override_of"]) == ("approve", declined["decision_id"])
    assert body["limit"]["amount_minor"] == 500_000
    assert "override of decline: parent company guarantee" in body["reason"]
    payload = world.ledger.entry(body["seq"]).event.payload
    assert payload["override_of"] == declined["decision_id"]
    assert payload["model_version"] == "fixed/1"
    assert payload["rules"]
    shown = world.get(SELLER, f"{APPLY}/dec-override").json()
    assert [d["outcome"] for d in shown["decisions"]] == ["decline", "approve"]
    assert shown["current"]["decision_id"] == body["decision_id"]


def test_a_secured_line_is_limited_by_the_borrowing_base(world: World) -> None:
    body = world.post(HOLDER, APPLY, {"events": [
        application("dec-secured", 20_000_000, applicant=HOLDER, receipt_id=RECEIPT),
        consent(subject=HOLDER, tag="dec-secured")]}).json()  # fmt: skip
    # copper (base metals): 20,000,000 less a 3% haircut, at a 70% advance rate
    assert body["borrowing_base"] == 20_000_000 * 97 // 100 * 70 // 100
    assert body["outcome"] == "approve"
    assert body["limit"]["amount_minor"] == body["borrowing_base"] // 10_000 * 10_000
    assert next(r["code"] for r in body["reasons"]) == "insufficient_collateral"
    size = world.ledger.size()
    other = world.post(SELLER, APPLY, {"events": [application("dec-unpledged", 1_000_000,
                                                              receipt_id="no-such-receipt"),
                                                  consent(tag="dec-unpledged")]})  # fmt: skip
    assert other.status_code == 422
    assert (other.json()["error"], other.json()["field"]) == ("receipt_not_pledged",
                                                              "payload.receipt_id")  # fmt: skip
    assert world.ledger.size() == size


def test_an_applicant_without_a_file_is_referred(world: World) -> None:
    answer = world.post(NEWCOMER, APPLY, {"events": [
        application("dec-thin", 500_000, applicant=NEWCOMER),
        consent(subject=NEWCOMER, tag="dec-thin")]})  # fmt: skip
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["outcome"] == "refer"
    assert body["score"] is None
    assert any(r.startswith("thin_file: refer") for r in body["rules"])


def test_logins_score_fraud_and_knock_out_the_next_application(world: World) -> None:
    suspect = "buyer-hamburg-01"  # registered in DE
    first = world.post(PLATFORM, "/v1/fraud/logins", login(suspect, "NG", "US", 60, proxy=True,
                                                          device="dev-shared"))  # fmt: skip
    assert first.status_code == 201, first.text
    seen = first.json()
    assert {"ip_country_mismatch", "billing_country_mismatch", "proxy"} <= set(
        seen["login_signals"])  # fmt: skip
    assert seen["points"] >= 400
    assert seen["reasons"][0] == "ip_country_mismatch"
    assert world.post(SELLER, "/v1/fraud/logins", login(suspect, "DE", "DE", 60)).status_code == 403
    answer = world.post(suspect, APPLY, {"events": [
        application("dec-fraud", 1_000_000, applicant=suspect),
        consent(subject=suspect, tag="dec-fraud")]})  # fmt: skip
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["outcome"] in ("refer", "decline")  # refer at 400 points, or worse by another rule
    assert body["rules"][0].startswith("fraud_knockout: refer (fraud score 450")
    assert body["fraud"]["points"] == seen["points"] == body["fraud_points"]


def _decisions(ledger: Ledger) -> int:
    return len(ledger.query(EntryQuery(type="credit.decision", limit=1000)).entries)


@pytest.mark.parametrize("case", ["no_consent", "no_decision_key", "not_a_party",
                                  "bad_signature", "reused_id", "two_applications",
                                  "expired_consent", "schema"])  # fmt: skip
def test_refusals_name_the_field_and_write_nothing(world: World, case: str) -> None:
    size, decided = world.ledger.size(), _decisions(world.ledger)
    tag = f"dec-refused-{case}"
    body: Any = {"events": [application(tag, 1_000_000), consent(tag=tag)]}
    who, status, field = SELLER, 403, "consent"
    if case == "no_consent":
        who, body = SHY, application(tag, 1_000_000, applicant=SHY)
    elif case == "no_decision_key":
        body = {"events": [application(tag, 1_000_000, lender=OTHER_LENDER),
                           consent(grantee=OTHER_LENDER, tag=tag)]}  # fmt: skip
        status, field = 409, "payload.lender"
    elif case == "not_a_party":
        who, field = BUYER, "payload.applicant"
    elif case == "bad_signature":
        body["events"][0]["signature"] = "00" * 64
        status, field = 422, "events[0].signature"
    elif case == "reused_id":
        assert _apply(world, tag).status_code == 201
        size, decided = world.ledger.size(), _decisions(world.ledger)
        status, field = 409, "payload.application_id"
    elif case == "two_applications":
        body["events"].append(application(tag + "-2", 1_000_000))
        status, field = 422, "events"
    elif case == "expired_consent":
        lapsed = consent(subject=SHY, tag=tag, expires=NOW - timedelta(minutes=1))
        who, body = SHY, {"events": [application(tag, 1_000_000, applicant=SHY), lapsed]}
        field = "consent.payload.expires_at"
    elif case == "schema":  # signed, but no applicant: refused before anything reads it
        bare = signed(
            SELLER,
            "finance",
            "credit.application",
            {
                "application_id": tag,
                "lender": LENDER,
                "product": "credit_line",
                "requested": {"amount_minor": 1, "currency": "USD"},
            },
            NOW,
            [LENDER],
        )
        status, field = 422, "events[0].payload"
        body = {"events": [bare.to_json(), consent(tag=tag)]}
    answer = world.post(who, APPLY, body)
    assert answer.status_code == status, answer.text
    assert answer.json()["field"] == field
    assert world.ledger.size() == size
    assert _decisions(world.ledger) == decided


def test_a_lender_signing_its_own_override_is_checked_by_the_projection(world: World) -> None:
    world.use(400_000)
    declined = _apply(world, "dec-own-override").json()
    size = world.ledger.size()

    def own(override_of: str, lender: str = LENDER) -> Any:
        body = {"application_id": "dec-own-override", "decision": "approved", "lender": lender,
                "limit": {"amount_minor": 300_000, "currency": "USD"},
                "reason": "signed by the credit committee", "override_of": override_of}  # fmt: skip
        event = signed(lender, "finance", "credit.decision", body, NOW, [SELLER])
        return world.post(lender, "/v1/events", event.to_json())

    unknown = own("00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404, unknown.text
    assert unknown.json()["error"] == "unknown_decision"
    assert unknown.json()["field"] == "payload.override_of"
    assert own(declined["decision_id"], lender=OTHER_LENDER).status_code == 404
    assert world.ledger.size() == size
    assert own(declined["decision_id"]).status_code == 201
    shown = world.get(SELLER, f"{APPLY}/dec-own-override").json()
    assert [d["outcome"] for d in shown["decisions"]] == ["decline", "approve"]
    assert shown["current"]["signed_by"] == key_for(LENDER).key_id  # the lender's own key
