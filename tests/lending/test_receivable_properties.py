"""Random sequences of financings, collections, recourse, settlements and write-offs on a
real ledger (SQLite and PostgreSQL), against a model written here from the rules' text.

Hypothesis draws the acts; each is appended as the lender would sign it, and the model
says beforehand whether the projection must take or refuse it. After every act:
- a refused act wrote nothing, and the ledger agreed with the model on taking it;
- no money is created or lost: each financing's postings sum to advanced + fee + rebate
  less what came in, was written off or refinanced, and to zero once it is closed; what the
  debtor and the seller paid is exactly the advance, the fee and the rebate of a settled
  financing, and the debtor never paid more than the face;
- a document is financed at most once, and an order's goods are never under a live advance
  and a live invoice financing at the same time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from finance_api.lending.receivable_tables import ReceivableFinancing, ReceivablePosting
from ledger.core.errors import LedgerError
from ledger.log import Ledger
from tests.ledger.scenario import LENDER
from tests.lending.lending_events import AT, OTHER_LENDER, with_other_lender
from tests.lending.receivable_events import (
    accepted_order,
    act,
    confirmed_invoice,
    financing,
    fresh,
)

FACE = 100_000
BOUNDS = {"invoice": (7000, 9000), "order": (1000, 8000)}
FEE_BP, PERIOD, DUE_DAYS, LAST_DAY = 120, 30, 30, 300


@dataclass
class Model:
    """What the rules say a financing holds, computed without the code under test."""

    kind: str
    order: int
    lender: str
    advanced: int
    recourse: bool
    day: int
    status: str = "open"
    collected: int = 0
    recourse_paid: int = 0
    last_in: int | None = None
    fee: int = 0
    rebate: int = 0
    written_off: int = 0

    def fee_to(self, day: int) -> int:
        exact = Fraction(FACE * FEE_BP * max(1, day - self.day), 10_000 * PERIOD)
        return int(exact + Fraction(1, 2))  # half up

    @property
    def out(self) -> int:
        return max(0, self.advanced - self.collected - self.recourse_paid)


@pytest.fixture
def firms(registered: Ledger) -> Ledger:
    return with_other_lender(registered)


ACT = st.tuples(
    st.sampled_from(
        [
            "finance",
            "collect",
            "collect",
            "collect",
            "recourse",
            "recourse",
            "settle",
            "settle",
            "write_off",
        ]
    ),
    st.integers(0, 3),  # which document (two invoices, their two orders)
    st.integers(0, 4),  # a rate choice, a lender, right or wrong, an amount choice
    st.integers(0, 12),  # days since the previous act
)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    opening=st.permutations(range(4)),
    acts=st.lists(ACT, min_size=10, max_size=30),
    rates=st.lists(st.sampled_from([0, 1, 3, 0, 1, 3, 2, 4]), min_size=4, max_size=4),
)
def test_random_receivable_acts_conserve_money_and_finance_a_document_once(
    firms: Ledger, opening: list[int], rates: list[int], acts: list[tuple[str, int, int, int]]
) -> None:
    orders = [fresh("order"), fresh("order")]
    invoices = [fresh("inv"), fresh("inv")]
    world: list[Any] = []
    for order_id, invoice_id in zip(orders, invoices, strict=True):
        world += [*accepted_order(order_id, FACE), *confirmed_invoice(
            invoice_id, order_id, FACE, due=(AT + timedelta(days=DUE_DAYS)).date())]  # fmt: skip
    firms.append_batch(world)
    docs = [("invoice", invoices[0], 0), ("invoice", invoices[1], 1),
            ("order", orders[0], 0), ("order", orders[1], 1)]  # fmt: skip
    models: dict[int, tuple[str, Model]] = {}  # document index -> (financing id, model)
    day = 0
    firsts = [("finance", d, rate, 0) for d, rate in zip(opening, rates, strict=True)]
    for name, d, choice, step in [*firsts, *acts]:
        day = min(day + step, LAST_DAY)  # the ledger's clock refuses later events
        at = AT + timedelta(days=day)
        event, expect, change = _plan(name, d, choice, day, docs, models)
        if event is None:
            continue
        size = firms.size()
        try:
            firms.append(event(at))
            taken = True
        except LedgerError:
            taken = False
            assert firms.size() == size
        assert taken == expect, (name, d, choice, day)
        if taken:
            change()
        _check(firms, models)


def _plan(name: str, d: int, choice: int, day: int, docs: list[tuple[str, str, int]],
          models: dict[int, tuple[str, Model]]) -> tuple[Any, bool, Any]:  # fmt: skip
    """The act to send (a function of its time), whether the rules take it, what it does."""
    kind, doc_id, order = docs[d]
    if name == "finance":
        low, high = BOUNDS[kind]
        rate = (low, high, high + 500, (low + high) // 2, low - 500)[choice]
        lender = (LENDER, OTHER_LENDER)[choice % 2]
        recourse = (choice + d) % 2 == 0
        fid = fresh("f")
        live_goods = any(m.order == order and m.kind != kind and m.status == "open"
                         for _, m in models.values())  # fmt: skip
        ok = d not in models and low <= rate <= high and not live_goods and day <= DUE_DAYS
        model = Model(kind, order, lender, FACE * rate // 10_000, recourse, day)

        def add() -> None:
            models[d] = (fid, model)

        return (lambda at: financing(fid, kind, doc_id, FACE, rate_bp=rate, lender=lender,
                                     fee_bp=FEE_BP, period=PERIOD, recourse=recourse,
                                     due=(AT + timedelta(days=DUE_DAYS)).date(), at=at),
                ok, add)  # fmt: skip
    if d not in models:
        return None, False, None
    fid, m = models[d]
    is_open, past_due = m.status == "open", day > DUE_DAYS
    if name == "collect":
        amount = (FACE - m.collected, 1, FACE // 3, FACE + 1, m.out)[choice] or 1
        ok = is_open and amount <= FACE - m.collected

        def collect() -> None:
            m.collected += amount
            m.last_in = day

        return lambda at: act(fid, "collected", lender=m.lender, amount=amount, at=at), ok, collect
    if name == "recourse":
        owed = m.advanced + m.fee_to(day) - m.collected - m.recourse_paid
        amount = max(1, (owed, owed + 1, m.out, 1, owed // 2)[choice])
        ok = is_open and m.recourse and past_due and amount <= owed

        def repurchase() -> None:
            m.recourse_paid += amount
            m.last_in = day

        return (
            lambda at: act(fid, "recourse", lender=m.lender, amount=amount, at=at),
            ok,
            repurchase,
        )
    if name == "settle":
        beyond = m.collected + m.recourse_paid - m.advanced
        fee = min(m.fee_to(m.last_in if m.last_in is not None else m.day), max(beyond, 0))
        wrong = choice == 4
        ok = is_open and m.out == 0 and not wrong

        def settle() -> None:
            m.fee, m.rebate, m.status = fee, beyond - fee, "settled"

        return (lambda at: act(fid, "settled", lender=m.lender, fee=fee + wrong,
                               rebate=max(beyond - fee, 0), at=at), ok, settle)  # fmt: skip
    amount = m.out + (choice == 4)
    ok = is_open and past_due and m.out > 0 and choice != 4

    def write_off() -> None:
        m.written_off, m.status = amount, "written_off"

    return (lambda at: act(fid, "written_off", lender=m.lender, amount=max(amount, 1), at=at),
            ok, write_off)  # fmt: skip


def _check(ledger: Ledger, models: dict[int, tuple[str, Model]]) -> None:
    with ledger.reading() as connection:
        for fid, m in models.values():
            table = ReceivableFinancing.__table__
            row = connection.execute(select(table).where(table.c.financing_id == fid)).one()
            posted = connection.execute(
                select(func.coalesce(func.sum(ReceivablePosting.amount_minor), 0)).where(
                    ReceivablePosting.financing_id == fid
                )
            ).scalar_one()
            came_in = row.collected + row.recourse_paid
            assert (row.status, row.collected, row.recourse_paid, row.fee, row.rebate,
                    row.written_off) == (m.status, m.collected, m.recourse_paid, m.fee,
                                         m.rebate, m.written_off)  # fmt: skip
            assert posted == row.advanced + row.fee + row.rebate - came_in - row.written_off
            assert row.collected <= row.face
            if row.status != "open":
                assert posted == 0
            if row.status == "settled":
                assert came_in == row.advanced + row.fee + row.rebate
            documents = connection.execute(
                select(func.count())
                .select_from(ReceivableFinancing)
                .where(ReceivableFinancing.document_id == row.document_id)
            ).scalar_one()
            assert documents == 1
            live_kinds = connection.execute(
                select(func.count(func.distinct(ReceivableFinancing.document_kind))).where(
                    ReceivableFinancing.order_id == row.order_id,
                    ReceivableFinancing.status == "open",
                )
            ).scalar_one()
            assert live_kinds <= 1
