"""Automatic decisions: knock-outs, the cut-off, the limit formula, adverse-action reasons,
overrides, and the credit.decision events that record them (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from finance_api.lending.assessments import from_score
from finance_api.lending.decisions import payload, record
from finance_api.lending.errors import InvalidSetting
from finance_api.lending.rules.fraud import score
from finance_api.lending.rules.policy import (
    Application,
    Assessment,
    FixedAssessment,
    LenderPolicy,
    decide,
    override,
)
from finance_api.lending.underwrite import automatic_decision
from ledger.core.event_types import REGISTRY
from ledger.core.event_types.credit import DECLINE_REASONS
from ledger.log import Ledger
from ledger.storage.query import EntryQuery
from tests.ledger.scenario import LENDER, SELLER, key_for
from tests.lending.lending_events import (
    AT,
    OTHER_LENDER,
    line_act,
    open_line,
    usd,
    with_other_lender,
)

APP = Application("app-1", SELLER, LENDER, requested=2_000_000, revenue_6m=10_000_000)
GOOD = FixedAssessment(pd_ppm=20_000, score=640, reasons=("low_revenue",),
                       model_version="scorecard-1", checkpoint=(120, "ab" * 32))  # fmt: skip


def test_a_good_applicant_is_approved_for_what_it_asked() -> None:
    decision = decide(APP, GOOD)
    assert (decision.outcome, decision.limit, decision.reasons) == ("approve", 2_000_000, ())
    assert [r.rule for r in decision.rules] == ["fraud_knockout", "active_default", "pd_cutoff",
                                                "limit"]  # fmt: skip
    assert all(r.outcome is None for r in decision.rules)


@pytest.mark.parametrize(
    ("change", "outcome", "deciding", "first_reason"),
    [
        ({"fraud_points": 820, "fraud_reasons": ("proxy",)}, "decline", ("fraud_knockout",),
         "policy"),
        ({"fraud_points": 450}, "refer", ("fraud_knockout",), None),
        ({"active_default": True}, "decline", ("active_default",), "prior_default"),
        ({"revenue_6m": 100_000}, "decline", ("limit",), "low_revenue"),
    ],
)  # fmt: skip
def test_knock_outs_and_the_limit_rule(
    change: dict[str, object], outcome: str, deciding: tuple[str, ...], first_reason: str | None
) -> None:
    decision = decide(replace(APP, **change), GOOD)  # type: ignore[arg-type]
    assert decision.outcome == outcome
    assert decision.deciding == deciding
    assert (decision.reasons[0] if decision.reasons else None) == first_reason
    if outcome == "decline":
        assert decision.limit == 0


@pytest.mark.parametrize(("pd", "outcome"), [(80_000, "approve"), (80_001, "refer"),
                                             (150_000, "refer"), (150_001, "decline")])  # fmt: skip
def test_the_pd_cut_off_and_its_referral_band(pd: int, outcome: str) -> None:
    assert decide(APP, replace(GOOD, pd_ppm=pd)).outcome == outcome


def test_a_lower_limit_than_asked_says_why_and_the_worst_rule_wins() -> None:
    decision = decide(replace(APP, revenue_6m=3_000_000, existing_exposure=200_000), GOOD)
    assert decision.outcome == "approve"
    assert decision.limit == 1_300_000  # half of 3.0m, less 0.2m owed, in steps of 100.00
    assert decision.reasons == ("low_revenue",)
    both = decide(replace(APP, fraud_points=500, active_default=True), replace(GOOD, pd_ppm=1))
    assert (both.outcome, both.deciding) == ("decline", ("active_default",))


def test_at_most_four_reasons_all_from_the_ledger_codes() -> None:
    codes = (
        "delinquency",
        "late_deliveries",
        "insufficient_history",
        "low_revenue",
        "not-a-code",
        "policy",
    )
    scorer = FixedAssessment(pd_ppm=400_000, reasons=codes)
    decision = decide(replace(APP, active_default=True, revenue_6m=0), scorer)
    assert len(decision.reasons) == 4
    assert set(decision.reasons) <= set(DECLINE_REASONS)
    assert decision.reasons[:2] == ("prior_default", "delinquency")


def test_an_override_keeps_the_automatic_outcome_and_needs_a_reason() -> None:
    declined = decide(replace(APP, revenue_6m=0), GOOD)
    with pytest.raises(InvalidSetting) as refused:
        override(declined, "approve", "  ", limit=500_000)
    assert refused.value.field == "reason"
    approved = override(declined, "approve", "collateral pledged outside the model", 500_000)
    assert (approved.outcome, approved.automatic, approved.limit) == ("approve", "decline",
                                                                      500_000)  # fmt: skip
    assert approved.reasons == ()
    with pytest.raises(InvalidSetting):
        override(declined, "approve", "no limit given")


def test_policies_refuse_incoherent_settings() -> None:
    with pytest.raises(InvalidSetting):
        LenderPolicy(pd_refer_ppm=200_000, pd_decline_ppm=100_000)
    with pytest.raises(InvalidSetting):
        LenderPolicy(fraud_refer=900, fraud_decline=800)


def test_a_scorer_is_anything_that_answers_the_protocol() -> None:
    class Scorer:
        pd_ppm, score, reasons, model_version, checkpoint = 10, 700, (), "m2", None

    assessment: Assessment = Scorer()
    assert decide(APP, assessment).model_version == "m2"


def test_every_payload_fits_the_credit_decision_schema() -> None:
    for decision in (decide(APP, GOOD), decide(replace(APP, fraud_points=999), GOOD),
                     decide(replace(APP, fraud_points=450), GOOD)):  # fmt: skip
        REGISTRY.validate("finance", "credit.decision", payload(decision))


def test_decisions_and_overrides_are_ledger_events(registered: Ledger) -> None:
    declined = decide(replace(APP, application_id=f"app-{registered.size()}", revenue_6m=0), GOOD)
    first = record(registered, declined, key_for(LENDER), AT)
    again = override(declined, "approve", "guarantee from the parent company", 300_000)
    second = record(registered, again, key_for(LENDER), AT, override_of=first.id)
    page = registered.query(EntryQuery(type="credit.decision", limit=1000))
    mine = {e.event.id: e.event.payload for e in page.entries}
    auto, manual = mine[first.id], mine[second.id]
    assert (auto["decision"], auto["reasons"][0], auto["model_version"]) == (
        "declined", "low_revenue", "scorecard-1")  # fmt: skip
    assert (auto["tree_size"], auto["root_hash"]) == (120, "ab" * 32)
    assert any(rule.startswith("limit: decline") for rule in auto["rules"])
    assert manual["decision"] == "approved"
    assert manual["override_of"] == first.id
    assert manual["limit"] == {"amount_minor": 300_000, "currency": "USD"}
    assert "guarantee from the parent company" in manual["reason"]


def test_an_automatic_decision_reads_exposure_and_defaults_from_the_lines(
    registered: Ledger,
) -> None:
    with_other_lender(registered)
    tag = registered.size()
    registered.append_batch([
        open_line(f"own-{tag}", 1_000_000), line_act(f"own-{tag}", "drawn", amount=usd(400_000)),
    ])  # fmt: skip
    clean = score({})
    with registered.reading() as connection:
        first = automatic_decision(connection, f"a-{tag}", SELLER, LENDER, 2_000_000, GOOD,
                                   clean, revenue_6m=10_000_000)  # fmt: skip
    assert first.outcome == "approve"
    assert first.limit == 2_000_000 - 400_000
    assert first.reasons[0] == "existing_exposure"
    registered.append_batch([
        open_line(f"other-{tag}", 50_000, lender=OTHER_LENDER),
        line_act(f"other-{tag}", "drawn", lender=OTHER_LENDER, amount=usd(50_000)),
        line_act(f"other-{tag}", "defaulted", lender=OTHER_LENDER, amount=usd(50_000)),
    ])  # fmt: skip
    with registered.reading() as connection:
        second = automatic_decision(connection, f"b-{tag}", SELLER, LENDER, 2_000_000, GOOD,
                                    clean, revenue_6m=10_000_000)  # fmt: skip
    assert (second.outcome, second.deciding) == ("decline", ("active_default",))


def test_the_credit_scorers_answer_plugs_in_with_a_feature_to_code_map() -> None:
    shown = {"participant": SELLER, "score": 580, "pd_ppm": 400_000, "model_version": "sc-2",
             "checkpoint": {"tree_size": 77, "root_hash": "cd" * 32},
             "reasons": [{"rank": 2, "code": "R07", "feature": "late_share"},
                         {"rank": 1, "code": "R02", "feature": "months_on_ledger"},
                         {"rank": 3, "code": "R09", "feature": "unmapped"}]}  # fmt: skip
    codes = {"late_share": "late_deliveries", "months_on_ledger": "insufficient_history"}
    assessment = from_score(shown, codes)
    assert assessment.reasons == ("insufficient_history", "late_deliveries")
    decision = decide(APP, assessment)
    assert (decision.outcome, decision.checkpoint) == ("decline", (77, "cd" * 32))
    assert decision.reasons == ("delinquency", "insufficient_history", "late_deliveries")


def test_a_secured_limit_is_the_borrowing_base_not_the_revenue_cap() -> None:
    secured = replace(APP, revenue_6m=0, borrowing_base=1_234_567)
    decision = decide(secured, GOOD)
    assert (decision.outcome, decision.limit) == ("approve", 1_230_000)  # in steps of 100.00
    assert decision.reasons[0] == "insufficient_collateral"  # then the scorer's own
    assert decide(replace(secured, borrowing_base=50_000), GOOD).outcome == "decline"
    rich = decide(replace(APP, borrowing_base=5_000_000), GOOD)
    assert (rich.limit, rich.reasons) == (2_000_000, ())  # what was asked, no more


def test_no_file_is_referred_whatever_the_pd() -> None:
    decision = decide(replace(APP, thin_file=True, revenue_6m=0), replace(GOOD, pd_ppm=999_999))
    assert (decision.outcome, decision.deciding) == ("refer", ("thin_file",))
    assert "pd_cutoff" not in [r.rule for r in decision.rules]


def test_reasons_in_words_use_the_scorers_own_figures() -> None:
    from finance_api.lending.rules.adverse import WORDS, in_words

    assert set(WORDS) == set(DECLINE_REASONS)
    scorer = [{"rank": 2, "feature": "info_tenure_days", "text": "Time: 9 days"},
              {"rank": 1, "feature": "fin_max_dpd_180d", "text": "Most DPD: 61"}]  # fmt: skip
    said = in_words(["delinquency", "insufficient_history"], scorer)
    assert said[0]["text"].endswith("(Most DPD: 61)")
    assert said[1]["text"].endswith("(Time: 9 days)")


def test_one_logins_signals() -> None:
    from finance_api.lending.rules.login import login_signals

    home = {"ip_country": "CN", "billing_country": "CN", "utc_offset_minutes": 480}
    assert login_signals(home, "CN", 480, 0) == []
    odd = {**home, "ip_country": "NG", "utc_offset_minutes": 60, "proxy": True}
    assert login_signals(odd, "CN", 480, 2) == [
        "ip_country_mismatch", "billing_country_mismatch", "timezone_mismatch", "proxy",
        "shared_device",
    ]  # fmt: skip
