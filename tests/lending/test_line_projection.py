"""The credit-line projection on SQLite and PostgreSQL: refusals write nothing, balances are
the sum of their postings, random sequences conserve money, and a replay gives the same rows."""

from __future__ import annotations

import itertools
from datetime import timedelta
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from finance_api.lending.accrual import accrued_interest
from finance_api.lending.errors import LendingError
from finance_api.lending.line_projector import PROJECTOR, read_lines
from finance_api.lending.line_tables import CreditLinePosting, CreditLineRow
from ledger.core.errors import LedgerError
from ledger.log import Ledger
from ledger.storage.projections import rebuild
from tests.lending.lending_events import (
    AT,
    OTHER_LENDER,
    line_act,
    open_line,
    usd,
    with_other_lender,
)

_ids = itertools.count()


@pytest.fixture
def firms(registered: Ledger) -> Ledger:
    return with_other_lender(registered)


def fresh_line(ledger: Ledger, limit: int = 100_000, **extra: Any) -> str:
    line_id = f"line-{next(_ids)}-{ledger.size()}"
    ledger.append(open_line(line_id, limit, **extra))
    return line_id


def postings_sum(ledger: Ledger, line_id: str) -> int:
    with ledger.reading() as connection:
        total = connection.execute(
            select(func.coalesce(func.sum(CreditLinePosting.amount_minor), 0)).where(
                CreditLinePosting.line_id == line_id
            )
        ).scalar_one()
    return int(total)


def line(ledger: Ledger, line_id: str) -> Any:
    with ledger.reading() as connection:
        return read_lines(connection, [line_id]).get(line_id)


REFUSALS = [
    ("a draw beyond the available amount", lambda i: [line_act(i, "drawn", amount=usd(100_001))],
     "beyond_available", 422, "payload.amount"),
    ("a draw on a frozen line", lambda i: [line_act(i, "frozen", reason="past_due"),
     line_act(i, "drawn", amount=usd(1))], "line_frozen", 409, "payload.line_id"),
    ("a draw on a closed line", lambda i: [line_act(i, "closed", reason="expired"),
     line_act(i, "drawn", amount=usd(1))], "line_closed", 409, "payload.line_id"),
    ("a repayment of a line that does not exist",
     lambda i: [line_act(i + "-nowhere", "repaid", amount=usd(1))], "unknown_line", 404,
     "payload.line_id"),
    ("a draw by another lender", lambda i: [line_act(i, "drawn", lender=OTHER_LENDER,
     amount=usd(1))], "not_line_lender", 403, "payload.lender"),
    ("a repayment beyond what is owed", lambda i: [line_act(i, "repaid", amount=usd(1))],
     "overpayment", 422, "payload.amount"),
    ("a line opened twice", lambda i: [open_line(i, 5)], "line_exists", 409, "payload.line_id"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "build", "code", "status", "field"), REFUSALS,
                         ids=[r[0] for r in REFUSALS])  # fmt: skip
def test_a_refused_act_writes_nothing(
    firms: Ledger, name: str, build: Any, code: str, status: int, field: str
) -> None:
    line_id = fresh_line(firms)
    *before, refused = build(line_id)
    for event in before:
        firms.append(event)
    size, state = firms.size(), line(firms, line_id)
    with pytest.raises(LedgerError) as caught:
        firms.append(refused)
    assert (caught.value.code, caught.value.status, caught.value.field) == (code, status, field)
    assert caught.value.seq == size  # the entry the append would have made
    assert firms.size() == size
    assert line(firms, line_id) == state


def test_a_refusal_in_a_batch_undoes_the_whole_batch(firms: Ledger) -> None:
    line_id = fresh_line(firms)
    size = firms.size()
    with pytest.raises(LendingError):
        firms.append_batch([line_act(line_id, "drawn", amount=usd(60_000)),
                            line_act(line_id, "drawn", amount=usd(60_000))])  # fmt: skip
    assert firms.size() == size
    assert line(firms, line_id).balance == 0
    assert postings_sum(firms, line_id) == 0


def test_draw_charge_repay_and_the_balance_is_the_sum_of_postings(firms: Ledger) -> None:
    line_id = fresh_line(firms, rate_bp=1_000)
    # 73 days on 400.00 at 10% a year, ACT/365: exactly 8.00 of interest
    firms.append_batch([
        line_act(line_id, "drawn", amount=usd(40_000)),
        line_act(line_id, "interest_posted", amount=usd(800), at=AT + timedelta(days=73)),
        line_act(line_id, "fee_posted", amount=usd(100), fee="late_payment"),
        line_act(line_id, "repaid", amount=usd(10_300)),
    ])  # fmt: skip
    state = line(firms, line_id)
    assert (state.principal, state.interest, state.fees) == (30_600, 0, 0)
    assert state.balance == postings_sum(firms, line_id) == 30_600
    assert state.available(state.expires_on or line_act(line_id, "x").occurred_at.date()) == (
        69_400
    )


ACTS = st.lists(
    st.tuples(
        st.sampled_from(["drawn", "repaid", "interest_posted", "fee_posted", "frozen", "unfrozen"]),
        st.integers(1, 80_000),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(acts=ACTS)
def test_random_acts_on_the_ledger_conserve_money(firms: Ledger, acts: list[Any]) -> None:
    line_id = fresh_line(firms)
    accepted = 0
    for name, amount in acts:
        extra: dict[str, Any] = {"amount": usd(amount)}
        if name == "fee_posted":
            extra["fee"] = "commitment"
        if name in ("frozen", "unfrozen"):
            extra = {"reason": "review"} if name == "frozen" else {}
        size = firms.size()
        try:
            firms.append(line_act(line_id, name, **extra))
        except LendingError:
            assert firms.size() == size
            continue
        sign = -1 if name == "repaid" else 1
        accepted += sign * amount if "amount" in extra else 0
    state = line(firms, line_id)
    assert state.balance == postings_sum(firms, line_id) == accepted
    assert 0 <= state.principal <= state.limit


def test_a_rebuild_from_the_log_gives_the_same_rows(firms: Ledger) -> None:
    line_id = fresh_line(firms)
    firms.append(line_act(line_id, "drawn", amount=usd(1_234)))
    table = CreditLineRow.__table__
    with firms.reading() as connection:
        before = connection.execute(select(table).order_by(table.c.line_id)).all()
    with firms.unit_of_work() as uow:
        rebuild(uow.connection, PROJECTOR)
        after = uow.connection.execute(select(table).order_by(table.c.line_id)).all()
    assert after == before
    assert len(before) >= 1


def test_daily_interest_from_the_dated_postings(firms: Ledger) -> None:
    line_id = f"line-accrual-{firms.size()}"
    start = AT.date()
    firms.append(open_line(line_id, 1_000_000, rate_bp=1_000))
    firms.append(line_act(line_id, "drawn", amount=usd(100_000)))
    firms.append(line_act(line_id, "drawn", amount=usd(50_000), at=AT + timedelta(days=10)))
    # 10 days on 1,000.00 and 1 on 1,500.00 at 10%: 3.1507 -> 3.15
    firms.append(line_act(line_id, "interest_posted", amount=usd(315), at=AT + timedelta(days=11)))
    firms.append(line_act(line_id, "repaid", amount=usd(1_315), at=AT + timedelta(days=20)))
    with firms.reading() as connection:
        month = accrued_interest(connection, line_id, start, start + timedelta(days=30), 1_000)
        later = accrued_interest(connection, line_id, start + timedelta(days=30),
                                 start + timedelta(days=31), 1_000, month.carry)  # fmt: skip
    # 10 days on 1,000.00, 10 on 1,500.00, 10 on 1,490.00 (the repayment paid the 3.15
    # interest first), at 10% a year, ACT/365: 2.740 + 4.110 + 4.082 = 10.9315 -> 10.93
    assert month.interest == 1_093
    exact = Fraction((100_000 * 10 + 150_000 * 10 + 149_000 * 10) * 1_000, 3_650_000)
    assert Fraction(month.carry, 3_650_000) == exact - 1_093
    assert later.interest == round(Fraction(149_000 * 1_000, 3_650_000) + exact - 1_093)
