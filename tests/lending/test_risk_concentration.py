"""Concentration of a lender's whole book (credit lines and receipt loans together) on SQLite
and PostgreSQL: the alerts a change raises (once, again only after falling back), the
figures of ``GET /v1/risk/exposure`` against hand computation, and the webhook delivery of
the new alert kinds, signed.

Lender bank-a lends 50,000.00 on each of four lines (limits 100,000.00) to borrowers in CN,
CN, VN and DE: the book is 200,000.00, each debtor 25% (not over 25%), CN 50% (over). A
130,000.00 receipt loan to the first borrower then takes its debtor share to 18/33, and the
warehouse's and aluminium's to 13/33 of the book: three alerts, CN already flagged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from finance_api.app import create_app
from finance_api.auth import create_api_key
from finance_api.lending.rules.signing import verify
from finance_api.lending.webhooks import Deliverer, subscribe
from ledger.core.clock import FixedClock
from tests.finance.desk import COMMODITY, LENDERS, OTHER, SELLER, T0, WAREHOUSE, Desk, register
from tests.ledger.conftest import ledger_url, postgres_store, sqlite_store, store  # noqa: F401
from tests.ledger.scenario import NOW, key_for, open_ledger
from tests.lending.test_risk_receipts import LOAN, alerts, pledged_loan, replays_equal

A, B, _ = LENDERS
VN, DE = "seller-vn-01", "seller-de-01"
DEBTORS = (SELLER, OTHER, VN, DE)


@pytest.fixture
def desk(ledger_url: str) -> Iterator[Desk]:  # noqa: F811
    with open_ledger(ledger_url) as ledger:
        register(ledger)
        for pid, country in ((VN, "VN"), (DE, "DE")):
            ledger.register_participant(pid, pid, ["seller"], country, key_for(pid).public_key,
                                        T0 - timedelta(days=30))  # fmt: skip
        yield Desk(ledger, ledger_url)


def money(minor: int) -> dict[str, Any]:
    return {"amount_minor": minor, "currency": "USD"}


def draw(desk: Desk, borrower: str, amount: int = 5_000_000, lender: str = A) -> Any:
    line = f"line-{lender}-{borrower}"
    return desk.act(lender, "finance", "credit_line.drawn",
                    {"line_id": line, "lender": lender, "borrower": borrower,
                     "amount": money(amount)})  # fmt: skip


def book(desk: Desk) -> list[Any]:
    for borrower in DEBTORS:
        desk.act(A, "finance", "credit_line.opened",
                 {"line_id": f"line-{A}-{borrower}", "lender": A, "borrower": borrower,
                  "limit": money(10_000_000)})  # fmt: skip
    return [draw(desk, borrower) for borrower in DEBTORS]


def concentration(desk: Desk) -> list[tuple[int, str, int, int, int]]:
    return [
        (a.seq, a.subject, a.detail["share_bp"], a.detail["exposure_minor"], a.detail["book_minor"])
        for a in alerts(desk.ledger, "exposure_concentration")
    ]


def test_a_share_over_the_threshold_alerts_once_until_it_falls_back(desk: Desk) -> None:
    draws = book(desk)
    assert concentration(desk) == [(draws[3].seq, "country:CN", 5_000, 10_000_000, 20_000_000)]
    more = draw(desk, OTHER, 1_000_000)  # CN further over: no second alert; OTHER now over
    assert concentration(desk)[1:] == [(more.seq, f"debtor:{OTHER}", 2_857, 6_000_000,
                                        21_000_000)]  # fmt: skip
    pledged_loan(desk)  # 130,000.00 to SELLER, on 100 t in one warehouse
    seen = {a.seq for a in alerts(desk.ledger, "exposure_concentration")}
    [disbursed] = seen - {draws[3].seq, more.seq}
    book_now = 21_000_000 + LOAN
    assert concentration(desk)[2:] == [
        (disbursed, f"commodity:{COMMODITY}", LOAN * 10_000 // book_now, LOAN, book_now),
        (disbursed, f"debtor:{SELLER}", 18_000_000 * 10_000 // book_now, 18_000_000, book_now),
        (disbursed, f"warehouse:{WAREHOUSE}", LOAN * 10_000 // book_now, LOAN, book_now),
    ]
    [debtor] = alerts(desk.ledger, "exposure_concentration")[3:4]
    assert (debtor.lender, debtor.borrower, debtor.detail["dimension"]) == (A, SELLER, "debtor")
    assert debtor.detail["threshold_bp"] == 2_500
    repaid = desk.repay(A, "loan-1", LOAN)  # the loan's shares fall back below; OTHER's,
    # below since the loan came, is over again: raised again
    assert concentration(desk)[5:] == [(repaid.seq, f"debtor:{OTHER}", 2_857, 6_000_000,
                                        21_000_000)]  # fmt: skip
    desk.receive("lot-9", 100)
    desk.issue("r-9", "lot-9", 100, 20_000_000)
    desk.pledge("r-9", A, loan="loan-9")
    again = desk.disburse("loan-9", A, LOAN, "r-9")
    assert [c[1] for c in concentration(desk) if c[0] == again.seq] == [
        f"commodity:{COMMODITY}", f"debtor:{SELLER}", f"warehouse:{WAREHOUSE}"]  # fmt: skip
    assert {a.lender for a in alerts(desk.ledger)} == {A}  # bank-b lends nothing here
    replays_equal(desk.ledger)


def test_exposure_concentration_figures_against_hand_computation(desk: Desk) -> None:
    book(desk)
    pledged_loan(desk)
    key = create_api_key(desk.ledger, A, "t", NOW)
    with TestClient(create_app(desk.ledger)) as client:
        got = client.get("/v1/risk/exposure", headers={"X-API-Key": key},
                         params={"unscored_pd_ppm": 0}).json()  # fmt: skip
        refused = client.get("/v1/risk/exposure", headers={"X-API-Key": key},
                             params={"threshold_bp": 0})  # fmt: skip
    assert (refused.status_code, refused.json()["field"]) == (422, "threshold_bp")
    # each line at EAD 50,000.00 drawn + 40% of 50,000.00 undrawn = 70,000.00; the loan owes
    # 130,000.00: a book of 410,000.00
    total = 4 * 7_000_000 + LOAN
    rows = [(c["dimension"], c["name"], c["exposure_minor"], c["share_bp"], c["over_threshold"])
            for c in got["concentration"]]  # fmt: skip
    assert {c["currency"] for c in got["concentration"]} == {"USD"}
    assert rows == [
        ("debtor", SELLER, 20_000_000, 4_878, True),  # 200000 / 41 = 4878.04
        ("debtor", OTHER, 7_000_000, 1_707, False),  # 70000 / 41 = 1707.3; ties by name
        ("debtor", DE, 7_000_000, 1_707, False),
        ("debtor", VN, 7_000_000, 1_707, False),
        ("warehouse", WAREHOUSE, LOAN, 3_170, True),  # 130000 / 41 = 3170.7
        ("commodity", COMMODITY, LOAN, 3_170, True),
        ("country", "CN", 27_000_000, 6_585, True),  # 270000 / 41 = 6585.4
        ("country", "DE", 7_000_000, 1_707, False),
        ("country", "VN", 7_000_000, 1_707, False),
    ]
    assert sum(r[2] for r in rows if r[0] == "debtor") == total


def test_the_new_kinds_reach_the_lender_s_webhook_signed(desk: Desk) -> None:
    hook = subscribe(desk.ledger, A, "http://127.0.0.1:9/hook", FixedClock(NOW))
    subscribe(desk.ledger, B, "http://127.0.0.1:9/other", FixedClock(NOW))
    pledged_loan(desk)
    desk.price(160_000)
    desk.count("lot-1", 90)
    sent: list[tuple[str, bytes, dict[str, str]]] = []

    def post(url: str, body: bytes, headers: Any) -> int:
        sent.append((url, body, dict(headers)))
        return 204

    deliverer = Deliverer(desk.ledger, FixedClock(NOW), post=post)
    assert deliverer.deliver_due() == 3
    assert deliverer.deliver_due() == 0  # delivered once
    kinds = [json.loads(body)["kind"] for _, body, _ in sent]
    assert kinds == ["ltv_margin_call", "count_below_receipts", "count_differs_from_book"]
    assert {url for url, _, _ in sent} == {"http://127.0.0.1:9/hook"}  # never bank-b's
    for _, body, headers in sent:
        stamp = int(headers["X-Threeflow-Timestamp"])
        assert verify(hook["secret"], stamp, body, headers["X-Threeflow-Signature"])
        assert not verify("another secret", stamp, body, headers["X-Threeflow-Signature"])
    first = json.loads(sent[0][1])
    assert (first["lender"], first["subject"], first["detail"]["ltv_bp"]) == (A, "loan-1", 8377)
