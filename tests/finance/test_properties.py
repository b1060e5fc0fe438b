"""Random sequences of warehouse-finance acts on a real ledger (SQLite and PostgreSQL).

Hypothesis draws issues, pledges, draws, fees, repayments, price moves, losses, margin
calls, cures and liquidations; each act is appended as its party would sign it, and the
projection may refuse it. After every act:
- a refused act wrote nothing;
- no money is created or lost: every loan's balance is the sum of its postings, and every
  posting's money is accounted for (applied to buckets, or surplus to the borrower);
- no receipt is pledged twice (at most one unreleased pledge each);
- live receipts never cover more than the stock behind them, unless a loss or count since
  raised the alert that says so.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from finance_api.receipts.tables import (
    AlertRow,
    LoanRow,
    PledgeRow,
    PostingRow,
    ReceiptRow,
    StockRow,
)
from ledger.core.errors import LedgerError
from tests.finance.desk import LENDERS, Desk, register, usd
from tests.ledger.scenario import open_ledger

RUNS = itertools.count()
ACCEPTED: Counter[str] = Counter()
REFUSED: Counter[str] = Counter()
KINDS = (
    "issue",
    "pledge",
    "disburse",
    "fee",
    "repay",
    "price",
    "lose",
    "call",
    "cure",
    "liquidate",
    "release",
    "cancel",
    "out",
)


def sequence(seed: int, length: int = 40) -> list[tuple[str, int, int]]:
    """A random sequence of acts from one seed (Hypothesis draws and shrinks the seed): the
    acts come uniformly, so pledges, draws and sales are as likely as issues."""
    rng = random.Random(seed)
    return [(rng.choice(KINDS), rng.randrange(4), rng.randint(1, 100)) for _ in range(length)]


@pytest.fixture(scope="module")
def world(store: Any) -> Iterator[Desk]:
    url = store.new_url()
    with open_ledger(url) as ledger:
        register(ledger)
        yield Desk(ledger, url)
    store.drop(url)


def pick(desk: Desk, query: Any, i: int) -> Any:
    """The i-th (cyclically) of the rows a query finds, or None: acts aim at what exists."""
    with desk.ledger.reading() as connection:
        rows = connection.execute(query).all()
    return rows[i % len(rows)] if rows else None


def attempt(desk: Desk, run: int, kind: str, i: int, n: int) -> None:
    lot, fresh = f"{run}-lot-{i % 2}", f"{run}-r-{next(RUNS)}"
    mine = ReceiptRow.receipt_id.like(f"{run}-%")
    receipt = pick(
        desk,
        select(
            ReceiptRow.receipt_id,
            ReceiptRow.pledged_to,
            ReceiptRow.loan_id,
            ReceiptRow.lot_id,
            ReceiptRow.value_minor,
        ).where(mine, ReceiptRow.status == "live"),
        i,
    )
    loan = pick(
        desk,
        select(LoanRow.__table__).where(
            LoanRow.loan_id.like(f"{run}-%"), LoanRow.status.in_(("open", "defaulted"))
        ),
        i,
    )
    owed = 0 if loan is None else loan.owed_fees + loan.owed_interest + loan.owed_principal
    lender = LENDERS[i % 3] if loan is None else loan.lender
    rid = fresh if receipt is None else receipt.receipt_id
    lid = f"{run}-l-{i}" if loan is None else loan.loan_id
    if kind == "issue":
        desk.issue(fresh, lot, n, n * 200_000)
    elif kind == "pledge":
        desk.pledge(
            rid,
            LENDERS[i % 3] if loan is None else lender,
            loan=lid if n % 2 and loan is not None else None,
        )
    elif kind == "disburse":
        pledgee = LENDERS[i % 3] if receipt is None else receipt.pledged_to or LENDERS[0]
        worth = 100_000 if receipt is None else receipt.value_minor
        desk.disburse(f"{run}-l-{next(RUNS)}", pledgee, max(1, worth * n // 130), rid)
    elif kind == "fee":
        desk.loan_act(lender, "fee_posted", lid, amount=usd(n * 100), fee="late_payment")
    elif kind == "repay":
        desk.repay(lender, lid, max(1, owed * n // 100))
    elif kind == "price":
        desk.price(n * 4_000)
    elif kind == "lose":
        desk.lose(lot if receipt is None else receipt.lot_id, n // 10 + 1)
    elif kind in ("call", "cure"):
        ltv = loan.ltv_bp if loan is not None and loan.ltv_bp is not None else 0
        desk.loan_act(
            lender, "margin_called" if kind == "call" else "margin_cured", lid, ltv_bp=ltv
        )
    elif kind == "liquidate":
        on = pick(desk, select(ReceiptRow.receipt_id).where(ReceiptRow.loan_id == lid), i)
        desk.liquidate(lender, lid, rid if on is None else on.receipt_id, owed * n // 50, days=10)
    elif kind == "release":
        pledgee = lender if receipt is None else receipt.pledged_to or lender
        desk.release(rid, pledgee, reason="partial_release")
    elif kind == "cancel":
        desk.cancel(rid)
    else:
        desk.goods_out(lot, n // 5 + 1)


def check(desk: Desk) -> None:
    with desk.ledger.reading() as c:
        for loan in c.execute(select(LoanRow.__table__)):
            moved = c.execute(
                select(
                    func.coalesce(func.sum(PostingRow.fees_delta), 0),
                    func.coalesce(func.sum(PostingRow.interest_delta), 0),
                    func.coalesce(func.sum(PostingRow.principal_delta), 0),
                ).where(PostingRow.loan_id == loan.loan_id)
            ).one()
            assert tuple(moved) == (loan.owed_fees, loan.owed_interest, loan.owed_principal)
            assert min(moved) >= 0
        for posting in c.execute(select(PostingRow.__table__)):
            applied = -(posting.fees_delta + posting.interest_delta + posting.principal_delta)
            if posting.kind in ("repayment", "liquidation", "recovery", "write_off"):
                assert applied + posting.surplus_minor == posting.amount_minor
            elif posting.kind in ("disbursed", "interest", "fee"):
                assert -applied == posting.amount_minor
        doubled = c.execute(
            select(PledgeRow.receipt_id)
            .where(PledgeRow.released_seq.is_(None))
            .group_by(PledgeRow.receipt_id)
            .having(func.count() > 1)
        ).all()
        assert doubled == []
        for lot in c.execute(select(StockRow.warehouse_id, StockRow.lot_id, StockRow.held_milli)):
            live = ReceiptRow.status != "cancelled"
            covered = c.execute(
                select(func.coalesce(func.sum(ReceiptRow.live_milli), 0)).where(
                    ReceiptRow.lot_id == lot.lot_id, live
                )
            ).scalar_one()
            if covered > lot.held_milli:
                alerts = c.execute(
                    select(func.count())
                    .select_from(AlertRow.__table__)
                    .where(AlertRow.lot_id == lot.lot_id)
                ).scalar_one()
                assert alerts > 0, f"lot {lot.lot_id}: receipts beyond stock with no alert"


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32))
def test_random_acts_keep_money_pledges_and_stock_consistent(world: Desk, seed: int) -> None:
    play(world, seed)


def play(world: Desk, seed: int) -> None:
    """One random sequence of acts, checking the invariants after each."""
    run, ops = next(RUNS), sequence(seed)
    world.receive(f"{run}-lot-0", 400)
    world.receive(f"{run}-lot-1", 200)
    world.price(200_000)
    for kind, i, n in ops:
        size = world.ledger.size()
        status = 0
        try:
            attempt(world, run, kind, i, n)
            ACCEPTED[kind] += 1
        except LedgerError as refused:
            status = refused.status
            REFUSED[f"{kind}:{refused.code}"] += 1
        assert status == 0 or 400 <= status < 500
        assert status == 0 or world.ledger.size() == size, f"{kind} was refused but wrote"
        check(world)


def test_the_random_acts_were_mostly_accepted_ones_too(world: Desk) -> None:
    """The property above proves little if every act was refused: most kinds went in.

    It plays a few fixed sequences itself, so the count does not depend on the property
    having run in this worker."""
    for seed in range(20):
        play(world, seed)
    assert sum(1 for n in ACCEPTED.values() if n) >= 8, (ACCEPTED, REFUSED)
