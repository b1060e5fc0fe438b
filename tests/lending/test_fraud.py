"""The fraud score: each signal, its reasons, point-in-time scoring, and one pass over a
ledger on SQLite and PostgreSQL (two statements, whatever the number of accounts)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event as sa_event

from finance_api.lending.fraud_live import fraud_for
from finance_api.lending.fraud_scan import scan
from finance_api.lending.rules.fraud import FraudState, FraudWeights, score
from ledger.log import Ledger
from tests.ledger.scenario import BUYER, LENDER, SELLER
from tests.lending.lending_events import AT, OTHER_LENDER, PLATFORM, event, with_other_lender

COUNTRIES = {"shop": "CN", "shop2": "CN", "ring-a": "CN", "ring-b": "VN", "bank": "HK"}
_apps = itertools.count()


def login(account: str, ip: str = "CN", billing: str = "CN", offset: int = 480,
          proxy: bool = False, device: str = "dev-1") -> dict[str, Any]:  # fmt: skip
    return {"account": account, "ip_country": ip, "billing_country": billing,
            "timezone": "Asia/Shanghai", "utc_offset_minutes": offset, "proxy": proxy,
            "device_id": device}  # fmt: skip


def application(applicant: str, lender: str) -> dict[str, Any]:
    money = {"amount_minor": 1, "currency": "USD"}
    return {"application_id": f"app-{next(_apps)}", "applicant": applicant, "lender": lender,
            "product": "credit_line", "requested": money}  # fmt: skip


def test_a_clean_account_scores_nothing() -> None:
    state = FraudState(COUNTRIES)
    for _ in range(5):
        state.login(login("shop"))
    result = state.application(application("shop", "bank"), AT)
    assert (result.points, result.reasons) == (0, ())


def test_every_signal_adds_its_points_and_is_named_largest_first() -> None:
    state = FraudState(COUNTRIES)
    state.login(login("ring-b", offset=420, device="dev-home"))  # VN's usual clock
    for _ in range(4):
        state.login(login("ring-a", ip="NG", billing="GB", offset=60, proxy=True, device="dev-x"))
    state.login(login("ring-b", ip="VN", billing="VN", offset=420, device="dev-x"))
    state.login(login("shop"))
    state.login(login("shop2", device="dev-2"))
    result = state.score("ring-a")
    weights = FraudWeights()
    assert result.signals["ip_country_mismatch"] == weights.ip_country_mismatch
    assert result.signals["billing_country_mismatch"] == weights.billing_country_mismatch
    assert result.signals["proxy"] == weights.proxy
    assert result.signals["timezone_mismatch"] == weights.timezone_mismatch  # CN's usual: +480
    assert result.signals["shared_device"] == round(weights.shared_device / 3)  # one other
    assert result.reasons[0] == "ip_country_mismatch"
    assert "application_velocity" not in result.reasons
    assert result.points == sum(result.signals.values())


def test_velocity_counts_other_lenders_within_the_window_before_this_application() -> None:
    state = FraudState(COUNTRIES)
    first = state.application(application("shop", "bank"), AT)
    again = state.application(application("shop", "bank"), AT + timedelta(minutes=1))
    other = state.application(application("shop", "bank2"), AT + timedelta(minutes=2))
    third = state.application(application("shop", "bank3"), AT + timedelta(minutes=3))
    later = state.application(application("shop", "bank4"), AT + timedelta(days=2))
    assert [s.signals["application_velocity"] for s in (first, again, other, third, later)] == [
        0, 0, round(250 / 3), round(500 / 3), 0]  # fmt: skip


def test_an_application_is_scored_on_what_was_known_before_it() -> None:
    state = FraudState(COUNTRIES)
    state.login(login("shop"))
    before = state.application(application("shop", "bank"), AT)
    state.login(login("shop", ip="NG", proxy=True))
    assert before.points == 0
    assert state.score("shop").points > 0


def test_strengths_are_clamped() -> None:
    assert score({"proxy": 7.0, "shared_device": -1.0}).signals["proxy"] == FraudWeights().proxy
    assert score({"shared_device": -1.0}).points == 0


@pytest.fixture
def firms(registered: Ledger) -> Ledger:
    return with_other_lender(registered)


def test_the_scan_scores_each_application_in_one_pass(firms: Ledger) -> None:
    mark = f"scan-{firms.size()}"
    events = [event(PLATFORM, "account.login", login(SELLER, ip="NG", billing="GB", proxy=True,
                                                     device=f"{mark}-dev"), flow="information"),
              event(PLATFORM, "account.login", login(BUYER, device=f"{mark}-dev"),
                    flow="information")]  # fmt: skip
    apps = [application(SELLER, lender) for lender in (LENDER, OTHER_LENDER)]
    events += [event(SELLER, "credit.application", app, at=AT + timedelta(minutes=n))
               for n, app in enumerate(apps)]  # fmt: skip
    firms.append_batch(events)
    statements: list[str] = []
    with firms.reading() as connection:

        def count(*args: Any) -> None:
            statements.append(str(args[2]))

        sa_event.listen(connection, "before_cursor_execute", count)
        try:
            _, scored = scan(connection)
        finally:
            sa_event.remove(connection, "before_cursor_execute", count)
    assert len(statements) == 2  # the registry, then one scan: never a query per account
    mine = {s.application_id: s for s in scored}
    first, second = (mine[str(a["application_id"])] for a in apps)
    assert {"ip_country_mismatch", "proxy", "shared_device"} <= set(first.fraud.reasons)
    assert "application_velocity" not in first.fraud.reasons
    assert "application_velocity" in second.fraud.reasons
    assert second.fraud.points > first.fraud.points


def test_the_live_score_from_the_projection_equals_the_scan(firms: Ledger) -> None:
    mark = f"live-{firms.size()}"
    logins = [
        login(SELLER, ip="NG", billing="GB", offset=60, proxy=True, device=f"{mark}-ring"),
        login(SELLER, device=f"{mark}-own"),
        login(BUYER, ip="DE", billing="DE", offset=60, device=f"{mark}-ring"),
    ]
    events = [event(PLATFORM, "account.login", body, flow="information") for body in logins]
    first = application(SELLER, OTHER_LENDER)
    events.append(event(SELLER, "credit.application", first, at=AT))
    firms.append_batch(events)
    second = application(SELLER, LENDER)
    at = AT + timedelta(minutes=5)
    with firms.reading() as connection:
        live = fraud_for(connection, SELLER, LENDER, at)
    firms.append(event(SELLER, "credit.application", second, at=at))
    with firms.reading() as connection:
        _, scored = scan(connection)
    (scanned,) = [s for s in scored if s.application_id == second["application_id"]]
    assert live == scanned.fraud
    assert {"ip_country_mismatch", "shared_device", "application_velocity"} <= set(live.reasons)
