"""Factoring and advance payment on SQLite and PostgreSQL: eligibility from the ledger, one
financing per document (and per goods), refusals that write nothing, settlement figures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from finance_api.lending.portfolio import portfolio
from finance_api.lending.receivable_projector import PROJECTOR, read_financings
from finance_api.lending.receivable_tables import ReceivablePosting
from finance_api.lending.rules.exposure import ExposureSettings
from ledger.core.errors import LedgerError
from ledger.log import Ledger
from ledger.storage.projections import rebuild
from tests.ledger.scenario import BUYER, LENDER, SELLER
from tests.lending.lending_events import AT, OTHER_LENDER, event, usd, with_other_lender
from tests.lending.receivable_events import (
    DUE,
    accepted_order,
    act,
    confirmed_invoice,
    financing,
    fresh,
    invoice_world,
)


@pytest.fixture
def firms(registered: Ledger) -> Ledger:
    return with_other_lender(registered)


def refused(ledger: Ledger, events: Any, code: str, field: str | None = None) -> LedgerError:
    size = ledger.size()
    with pytest.raises(LedgerError) as caught:
        ledger.append_batch(events if isinstance(events, list) else [events])
    assert caught.value.code == code, caught.value
    if field is not None:
        assert caught.value.field == field
    assert ledger.size() == size
    return caught.value


def fin(ledger: Ledger, financing_id: str) -> Any:
    with ledger.reading() as connection:
        found = read_financings(connection, financing_id=financing_id)
    return found[0] if found else None


def postings(ledger: Ledger, financing_id: str) -> int:
    with ledger.reading() as connection:
        return int(connection.execute(
            select(func.coalesce(func.sum(ReceivablePosting.amount_minor), 0))
            .where(ReceivablePosting.financing_id == financing_id)).scalar_one())  # fmt: skip


def test_factoring_a_confirmed_invoice_then_settling_rebates_the_reserve_less_the_fee(
    firms: Ledger,
) -> None:
    _, invoice_id, world = invoice_world(100_000)
    fid = fresh("f")
    firms.append_batch([*world, financing(fid, "invoice", invoice_id, 100_000)])
    assert fin(firms, fid).advanced == 80_000
    assert fin(firms, fid).reserve == 20_000
    paid_at = AT + timedelta(days=45)
    firms.append_batch([act(fid, "collected", amount=100_000, at=paid_at)])
    # 150 bp of the face per 30 days, 45 days: 2,250
    refused(firms, act(fid, "settled", fee=2_000, rebate=18_000, at=paid_at), "settlement_mismatch",
            "payload.fee")  # fmt: skip
    firms.append_batch([act(fid, "settled", fee=2_250, rebate=17_750, at=paid_at)])
    done = fin(firms, fid)
    assert (done.status, done.fee, done.rebate) == ("settled", 2_250, 17_750)
    assert done.collected == done.advanced + done.fee + done.rebate
    assert postings(firms, fid) == 0


def test_a_document_is_financed_once_by_whichever_lender(firms: Ledger) -> None:
    _, invoice_id, world = invoice_world()
    first = fresh("f")
    firms.append_batch([*world, financing(first, "invoice", invoice_id, 100_000)])
    err = refused(firms, financing(fresh("f"), "invoice", invoice_id, 100_000,
                  lender=OTHER_LENDER), "already_financed", "payload.document_id")  # fmt: skip
    assert first in err.detail
    refused(firms, financing(fresh("f"), "invoice", invoice_id, 100_000), "already_financed")
    # settled or not, never twice
    firms.append_batch(
        [
            act(first, "collected", amount=100_000, at=AT + timedelta(days=10)),
            act(first, "settled", fee=500, rebate=19_500, at=AT + timedelta(days=10)),
        ]
    )
    refused(firms, financing(fresh("f"), "invoice", invoice_id, 100_000, lender=OTHER_LENDER),
            "already_financed")  # fmt: skip


def test_an_invoice_whose_order_has_a_live_advance_is_refused_until_it_is_settled(
    firms: Ledger,
) -> None:
    order_id, invoice_id = fresh("order"), fresh("inv")
    advance = fresh("adv")
    firms.append_batch([*accepted_order(order_id, 50_000),
                        financing(advance, "order", order_id, 50_000, rate_bp=6000)])  # fmt: skip
    invoice = confirmed_invoice(invoice_id, order_id, 50_000)
    firms.append_batch(invoice)
    err = refused(firms, financing(fresh("f"), "invoice", invoice_id, 50_000, lender=OTHER_LENDER),
                  "already_financed")  # fmt: skip
    assert "advance payment" in err.detail
    assert advance in err.detail
    firms.append_batch(
        [
            act(advance, "collected", amount=50_000, at=AT + timedelta(days=5)),
            act(advance, "settled", fee=125, rebate=19_875, at=AT + timedelta(days=5)),
        ]
    )
    firms.append_batch([financing(fresh("f"), "invoice", invoice_id, 50_000, lender=OTHER_LENDER)])


def test_an_order_with_a_financed_open_invoice_gets_no_advance(firms: Ledger) -> None:
    order_id, invoice_id, world = invoice_world()
    firms.append_batch([*world, financing(fresh("f"), "invoice", invoice_id, 100_000)])
    refused(firms, financing(fresh("adv"), "order", order_id, 100_000, rate_bp=5000,
            lender=OTHER_LENDER), "already_financed")  # fmt: skip


@pytest.mark.parametrize(
    ("case", "code", "field"),
    [
        ("unconfirmed", "document_not_confirmed", "payload.document_id"),
        ("rejected", "document_not_confirmed", "payload.document_id"),
        ("confirmed_after", "document_not_confirmed", "payload.document_id"),
        ("unknown", "unknown_document", "payload.document_id"),
        ("cancelled", "document_cancelled", "payload.document_id"),
        ("disputed", "document_disputed", "payload.document_id"),
        ("face", "document_mismatch", "payload.face"),
        ("debtor", "document_mismatch", "payload.debtor"),
        ("due", "document_mismatch", "payload.due_date"),
        ("rate", "advance_out_of_bounds", "payload.advance_rate_bp"),
        ("advance", "advance_out_of_bounds", "payload.advanced"),
        ("reserve", "advance_out_of_bounds", "payload.reserve"),
        ("currency", "currency_mismatch", "payload.face.currency"),
        ("twice", "document_ambiguous", "payload.document_id"),
    ],
)
def test_an_ineligible_invoice_is_refused_naming_the_rule(
    firms: Ledger, case: str, code: str, field: str
) -> None:
    order_id, invoice_id = fresh("order"), fresh("inv")
    setup = accepted_order(order_id, 100_000)
    answer = {"unconfirmed": None, "rejected": "claim.rejected"}.get(case, "claim.confirmed")
    invoice = confirmed_invoice(invoice_id, order_id, 100_000, confirm=answer)
    extra: dict[str, Any] = {}
    tail: list[Any] = []
    if case == "confirmed_after":
        invoice, tail = invoice[:1], invoice[1:]
    if case == "cancelled":
        setup.append(event(BUYER, "order.cancelled", {"order_id": order_id, "buyer": BUYER,
                           "seller": SELLER}, flow="information"))  # fmt: skip
    if case == "disputed":
        setup.append(event(BUYER, "dispute.opened", {"dispute_id": fresh("d"), "order_id": order_id,
                           "reason": "short", "opened_by": BUYER}, flow="information"))  # fmt: skip
    if case == "twice":
        invoice += confirmed_invoice(invoice_id, order_id, 100_000)[:1]
    firms.append_batch([*setup, *invoice])
    kwargs: dict[str, Any] = {}
    doc = fresh("missing") if case == "unknown" else invoice_id
    if case == "face":
        kwargs = {"face": usd(99_000)}
    if case == "debtor":
        extra = {"debtor": SELLER}
    if case == "due":
        kwargs = {"due": DUE + timedelta(days=1)}
    if case == "rate":
        kwargs = {"rate_bp": 9500}
    if case == "advance":
        kwargs = {"advanced": 85_000}
    if case == "reserve":
        extra = {"reserve": usd(1)}
    if case == "currency":
        extra = {"face": {"amount_minor": 100_000, "currency": "EUR"}}
    if "face" in kwargs:
        extra, kwargs = {"face": kwargs["face"]}, {}
    refused(firms, [financing(fresh("f"), "invoice", doc, 100_000, **kwargs, **extra), *tail],
            code, field)  # fmt: skip


def test_a_resolved_dispute_no_longer_blocks(firms: Ledger) -> None:
    order_id, invoice_id = fresh("order"), fresh("inv")
    dispute = fresh("d")
    firms.append_batch([
        *accepted_order(order_id, 100_000),
        event(BUYER, "dispute.opened", {"dispute_id": dispute, "order_id": order_id,
              "reason": "late", "opened_by": BUYER}, flow="information"),
        *confirmed_invoice(invoice_id, order_id, 100_000)])  # fmt: skip
    refused(firms, financing(fresh("f"), "invoice", invoice_id, 100_000), "document_disputed")
    firms.append_batch([event("platform-0001", "dispute.resolved", {"dispute_id": dispute,
                        "outcome": "settled"}, flow="information")])  # fmt: skip
    firms.append_batch([financing(fresh("f"), "invoice", invoice_id, 100_000)])


def test_an_unaccepted_order_gets_no_advance_and_an_accepted_one_does(firms: Ledger) -> None:
    order_id = fresh("order")
    firms.append_batch(accepted_order(order_id, 40_000, accept=False))
    refused(firms, financing(fresh("adv"), "order", order_id, 40_000, rate_bp=5000),
            "document_not_confirmed")  # fmt: skip
    firms.append_batch([event(SELLER, "order.accepted", {"order_id": order_id, "seller": SELLER},
                              flow="information")])  # fmt: skip
    refused(firms, financing(fresh("adv"), "order", order_id, 40_000, rate_bp=9000),
            "advance_out_of_bounds", "payload.advance_rate_bp")  # fmt: skip
    firms.append_batch([financing(fresh("adv"), "order", order_id, 40_000, rate_bp=5000)])


def test_recourse_only_past_due_and_with_recourse_then_write_off_without(firms: Ledger) -> None:
    _, with_id, world = invoice_world(100_000)
    _, without_id, world2 = invoice_world(100_000)
    a, b = fresh("f"), fresh("f")
    firms.append_batch([*world, *world2, financing(a, "invoice", with_id, 100_000),
                        financing(b, "invoice", without_id, 100_000, recourse=False)])  # fmt: skip
    early, late = AT + timedelta(days=30), AT + timedelta(days=90)
    refused(firms, act(a, "recourse", amount=10_000, at=early), "not_past_due")
    refused(firms, act(b, "recourse", amount=10_000, at=late), "no_recourse")
    refused(firms, act(b, "written_off", amount=80_000, at=early), "not_past_due")
    firms.append_batch([act(a, "collected", amount=30_000, at=early)])
    fee = round(100_000 * 150 * 90 / (10_000 * 30))
    refused(firms, act(a, "recourse", amount=50_000 + fee + 1, at=late), "beyond_outstanding")
    firms.append_batch([act(a, "recourse", amount=50_000 + fee, at=late),
                        act(a, "settled", fee=fee, rebate=0, at=late)])  # fmt: skip
    refused(firms, act(b, "written_off", amount=79_999, at=late), "settlement_mismatch")
    firms.append_batch([act(b, "written_off", amount=80_000, at=late)])
    refused(firms, act(b, "collected", amount=1, at=late), "financing_closed")
    assert postings(firms, a) == 0
    assert postings(firms, b) == 0


def test_acts_by_another_lender_or_on_nothing_are_refused(firms: Ledger) -> None:
    _, invoice_id, world = invoice_world()
    fid = fresh("f")
    firms.append_batch([*world, financing(fid, "invoice", invoice_id, 100_000)])
    refused(firms, act(fid, "collected", amount=1, lender=OTHER_LENDER), "not_financing_lender")
    refused(firms, act(fresh("f"), "collected", amount=1), "unknown_financing")
    refused(firms, act(fid, "collected", amount=100_001), "beyond_outstanding")
    refused(firms, act(fid, "settled", fee=0, rebate=0), "advance_outstanding")
    refused(firms, act(fid, "converted", loan_id="nope", amount=1), "conversion_refused")


def test_a_rebuild_gives_the_same_rows(firms: Ledger) -> None:
    _, invoice_id, world = invoice_world()
    fid = fresh("f")
    firms.append_batch(
        [
            *world,
            financing(fid, "invoice", invoice_id, 100_000),
            act(fid, "collected", amount=60_000, at=AT + timedelta(days=3)),
        ]
    )
    before = fin(firms, fid)
    with firms.unit_of_work() as uow:
        rebuild(uow.connection, PROJECTOR)
        uow.commit()
    assert fin(firms, fid) == before


def test_an_open_financing_is_exposure_on_its_debtor_until_the_advance_is_back(
    firms: Ledger,
) -> None:
    _, invoice_id, world = invoice_world(100_000)
    fid = fresh("f")
    firms.append_batch([*world, financing(fid, "invoice", invoice_id, 100_000)])
    with firms.reading() as connection:
        book = portfolio(connection, LENDER, ExposureSettings())
    (mine,) = [r for r in book.receivables if r.line_id == fid]
    assert (mine.borrower, mine.ead, mine.pd_ppm) == (BUYER, 80_000, 1_000_000)
    assert mine.expected_loss == 36_000  # unscored debtor: PD 1, LGD 45%
    assert BUYER in {share.name for share in book.by_borrower}
    total = sum(t.ead for t in book.totals if t.currency == "USD")
    firms.append_batch([act(fid, "collected", amount=80_000, at=AT + timedelta(days=2))])
    with firms.reading() as connection:
        after = portfolio(connection, LENDER, ExposureSettings())
    assert fid not in {r.line_id for r in after.receivables}
    assert sum(t.ead for t in after.totals if t.currency == "USD") == total - 80_000
