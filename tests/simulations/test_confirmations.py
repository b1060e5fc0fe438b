"""Confirmations answer real claims, by the party the claim binds, after the claim."""

from __future__ import annotations

from collections import Counter

from ledger.core.event_types import REGISTRY, bound_parties
from ledger.core.events import Event
from tests.simulations.conftest import SmallRun


def _answers(run: SmallRun) -> tuple[dict[str, tuple[int, Event]], list[tuple[int, Event]]]:
    claims: dict[str, tuple[int, Event]] = {}
    answers = []
    for position, event in enumerate(run.sink.events):
        if event.type in ("claim.confirmed", "claim.rejected"):
            answers.append((position, event))
        else:
            claims[event.id] = (position, event)
    return claims, answers


def test_every_answer_references_an_earlier_claim_that_binds_its_author(
    small_run: SmallRun,
) -> None:
    claims, answers = _answers(small_run)
    assert len(answers) > 1000
    for position, answer in answers:
        assert answer.payload["party"] == answer.actor
        claim_position, claim = claims[answer.payload["claim_id"]]
        assert claim_position < position
        assert claim.occurred_at < answer.occurred_at
        assert claim.flow == answer.flow
        etype = REGISTRY.event_type(claim.flow, claim.type)
        assert answer.actor in bound_parties(etype, claim.actor, claim.payload), claim.type


def test_each_claim_is_answered_at_most_once(small_run: SmallRun) -> None:
    _, answers = _answers(small_run)
    counts = Counter(answer.payload["claim_id"] for _, answer in answers)
    assert counts.most_common(1)[0][1] == 1


def test_confirmation_rates_by_kind_of_claim(small_run: SmallRun) -> None:
    """Genuine claims are mostly confirmed; fictitious invoices never are."""
    claims, answers = _answers(small_run)
    answered = {a.payload["claim_id"]: a.type for _, a in answers}
    ordered = {e.payload["order_id"] for e in small_run.sink.events if e.type == "order.placed"}
    rates: dict[str, list[bool]] = {}
    rejected_fictitious = 0
    for _, claim in claims.values():
        etype = REGISTRY.event_type(claim.flow, claim.type)
        if etype.confirmation is None:
            continue
        kind = claim.type
        if claim.type == "invoice.issued" and claim.payload["order_id"] not in ordered:
            kind = "fictitious invoice"
            rejected_fictitious += answered.get(claim.id) == "claim.rejected"
        rates.setdefault(kind, []).append(answered.get(claim.id) == "claim.confirmed")
    share = {kind: sum(flags) / len(flags) for kind, flags in rates.items()}
    assert share["fictitious invoice"] == 0.0
    assert rejected_fictitious > 0
    for kind in ("invoice.issued", "payment.made", "shipment.delivered", "goods.received"):
        assert 0.75 < share[kind] < 0.99, (kind, share[kind])
    for kind in ("loan.disbursed", "credit_line.drawn", "receipt.pledged"):
        assert share[kind] > 0.85, (kind, share[kind])
