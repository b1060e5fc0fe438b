"""The fast feature fold: the same features as before it, window edges exact to the microsecond.

The fold compares event times as text against window edges found once per pass and reads
answers to claims from their bytes; these tests pin that it gives what the float ages and
parsed bodies gave: on the simulated world (digests taken before the change, on both
backends), at the edges of the windows, and for the shorter time forms the ledger accepts.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from credit.features import compute
from credit.features.fold import Fold
from credit.features.scan import FeatureTable
from credit.features.stamps import age_days, cutoff, fixed
from ledger.core.events import format_timestamp
from tests.credit.ledgers import SimLedger

# compute() on tests.credit.ledgers.WORLD at 100 %, 60 % and 25 % of its tree (the full
# pass, then every fifth firm asked alone), as the fold before text times and SQL type
# filtering gave them; a change to the simulation changes these too (recompute them then,
# with the fold of the commit before, and check the features did not move)
BEFORE = {
    1.0: ("1e8bf6909a8b71f66fb1", "c05e3e2158737f953485"),
    0.6: ("d35e2cb4dac37fbb2a92", "394b11b855a587ad0b9a"),
    0.25: ("abe8a809d89fd687feb7", "cd9863add799f251551a"),
}


def digest(table: FeatureTable) -> str:
    frame, h = table.frame, hashlib.sha256()
    h.update(frame.to_numpy().tobytes())
    h.update("|".join(frame.index).encode())
    h.update("|".join(frame.columns).encode())
    h.update(repr(sorted(table.roles.items())).encode())
    h.update(repr(sorted(table.bad_before)).encode())
    h.update(repr(sorted(table.facilities.items())).encode())
    return h.hexdigest()[:20]


def test_the_simulated_world_has_the_features_it_had_before(sim_ledger: SimLedger) -> None:
    with sim_ledger.open() as ledger:
        size = ledger.size()
        for share, (full, few) in BEFORE.items():
            table = compute(ledger, int(size * share))
            assert digest(table) == full, share
            picked = sorted(table.frame.index[::5])
            assert digest(compute(ledger, int(size * share), picked)) == few, share


@pytest.mark.parametrize("as_of", ["2024-06-30T12:00:00.000000Z", "2025-03-01T07:31:09.123457Z"])
@pytest.mark.parametrize("days", [7, 90, 180])
def test_a_window_edge_agrees_with_the_float_age_to_the_microsecond(as_of: str, days: int) -> None:
    t = datetime.fromisoformat(as_of).timestamp()
    newer, older = cutoff(t, days, newer=True), cutoff(t, days, newer=False)
    for edge in (newer, older):
        moment = datetime.fromisoformat(edge)
        for step in range(-5, 6):
            text = format_timestamp(moment + timedelta(microseconds=step))
            assert (text >= newer) == (age_days(t, text) <= days), text
            assert (text <= older) == (age_days(t, text) >= days), text


def test_a_time_with_fewer_digits_is_put_in_the_full_form() -> None:
    assert fixed("2024-01-05T00:30:00Z") == "2024-01-05T00:30:00.000000Z"
    assert fixed("2024-01-05T00:30:00.5Z") == "2024-01-05T00:30:00.500000Z"
    assert fixed("2024-01-05T00:30:00.123456Z") == "2024-01-05T00:30:00.123456Z"
    assert fixed("2024-01-05T00:30:00Z") > fixed("2024-01-04T23:59:59.999999Z")


AS_OF = datetime(2024, 6, 30, tzinfo=UTC)


def _entry(n: int, etype: str, actor: str, when: str, payload: dict[str, Any]) -> tuple[str, bytes]:
    body = {"actor": actor, "flow": "information", "id": f"00000000-0000-4000-8000-{n:012d}",
            "key_id": "0" * 16, "occurred_at": when, "payload": payload, "subjects": [],
            "type": etype}  # fmt: skip
    return etype, orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def _trade(short: bool) -> list[tuple[str, bytes]]:
    def at(days: float) -> str:
        text = format_timestamp(AS_OF - timedelta(days=days))
        return text.replace(".000000Z", "Z") if short else text

    usd = {"amount_minor": 12_345, "currency": "USD"}
    return [
        _entry(
            1,
            "participant.registered",
            "platform",
            at(300),
            {"participant_id": "seller-1", "roles": ["seller"]},
        ),
        _entry(
            2,
            "participant.registered",
            "platform",
            at(300),
            {"participant_id": "buyer-1", "roles": ["buyer"]},
        ),
        _entry(
            3,
            "order.placed",
            "buyer-1",
            at(10),
            {"order_id": "o1", "seller": "seller-1", "buyer": "buyer-1", "total": usd},
        ),
        _entry(
            4,
            "order.placed",
            "buyer-1",
            at(90),  # exactly 90 days: still in the window
            {"order_id": "o2", "seller": "seller-1", "buyer": "buyer-1", "total": usd},
        ),
        _entry(
            5,
            "claim.confirmed",
            "buyer-1",
            at(20),  # before its claim: not an answer
            {"claim_id": "00000000-0000-4000-8000-000000000006", "party": "buyer-1"},
        ),
        _entry(6, "invoice.issued", "seller-1", at(200), {"invoice_id": "i1"}),
        _entry(7, "invoice.issued", "seller-1", at(7), {"invoice_id": "i2"}),  # just mature
        _entry(8, "invoice.issued", "seller-1", at(3), {"invoice_id": "i3"}),  # too young
        _entry(
            9,
            "claim.rejected",
            "buyer-1",
            at(5),
            {"claim_id": "00000000-0000-4000-8000-000000000007", "party": "buyer-1"},
        ),
        _entry(
            10,
            "claim.confirmed",
            "buyer-1",
            at(4),  # a second answer counts no more
            {"claim_id": "00000000-0000-4000-8000-000000000007", "party": "buyer-1"},
        ),
    ]


def test_claims_windows_and_short_times_in_a_small_trade() -> None:
    full = Fold(AS_OF).feed_all(_trade(short=False)).vectors()
    short = Fold(AS_OF).feed_all(_trade(short=True)).vectors()
    assert full == short
    seller = full["seller-1"]
    assert seller["info_orders_90d"] == 2
    assert seller["info_order_value_90d"] == 246.90
    assert seller["info_invoice_confirmed_share"] == 0.0  # i1 unanswered, i2 rejected
    assert seller["info_invoice_rejected_180d"] == 1
    assert seller["info_tenure_days"] == 200  # its own first act, the first invoice
    assert full["buyer-1"]["info_orders_placed_90d"] == 2
    assert full["buyer-1"]["info_tenure_days"] == 90  # answers are not acts of its own


def test_an_answer_counts_the_claim_its_payload_names_not_one_nested_before_it() -> None:
    """A claim id nested under an extra payload key that sorts first ("about") is not the
    claim answered: the pass counts the one the trust projection counts, the payload's own."""
    from credit.features.party import INVOICE, Party

    named, nested = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
    for payload, answered in (
        ({"about": {"claim_id": nested}, "claim_id": named, "party": "b"}, named),
        ({"claim_id": named, "party": "b"}, named),  # the usual shape, read from its bytes
        ({"about": {"claim_id": named}, "claim_id": nested, "party": "b"}, nested),
    ):
        fold, parties = Fold(AS_OF), {named: Party(), nested: Party()}
        for claim, party in parties.items():
            fold.follow(claim, party, INVOICE)
        fold.feed_all([_entry(1, "claim.confirmed", "b", format_timestamp(AS_OF), payload)])
        assert set(fold.claims) == {named, nested} - {answered}
        assert parties[answered].c["inv_confirmed"] == 1
        other = nested if answered == named else named
        assert parties[other].c["inv_confirmed"] == 0


def test_an_answer_to_no_claim_the_pass_follows_makes_its_actor_known_only_if_odd_shaped() -> None:
    """The usual answer to a claim not followed is skipped whole; one whose payload has a
    key sorting before ``claim_id`` makes its actor known, as when such bodies were parsed."""
    claim = "33333333-3333-4333-8333-333333333333"
    for payload, known in (
        ({"claim_id": claim, "party": "b"}, False),
        ({"about": 1, "claim_id": claim, "party": "b"}, True),
    ):
        fold = Fold(AS_OF)
        fold.feed_all([_entry(1, "claim.confirmed", "b", format_timestamp(AS_OF), payload)])
        assert ("b" in fold.parties) is known


def test_a_payload_field_tested_for_presence_counts_when_null() -> None:
    """``invoice_id`` present (even null) makes a payment an invoice payment, as ``in``
    on the parsed payload did; absent, with no purpose, it is not one."""
    usd = {"amount_minor": 100, "currency": "USD"}
    when = format_timestamp(AS_OF - timedelta(days=10))
    base = {"payment_id": "p1", "amount": usd, "payer": "buyer-1", "payee": "seller-1"}
    for extra, counted in (({"invoice_id": None}, 1), ({}, 0), ({"purpose": "invoice"}, 1)):
        fold = Fold(AS_OF).feed_all([_entry(1, "payment.made", "buyer-1", when, base | extra)])
        assert fold.parties["seller-1"].c["recv_180"] == counted, extra
        assert fold.parties["buyer-1"].c["paid_180"] == counted, extra
