"""Events signed while they are prepared: the same entries, the same refusals, one check fewer.

``Ledger.prepare_signed`` signs drafts itself and so does not verify the signatures it has
just made; everything else — rules, the key the registry holds for the actor, the write —
is what :meth:`Ledger.prepare` and ``append_batch`` do, on both backends.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from ledger.core.errors import InvalidEvent, LedgerError
from ledger.core.events import Draft, Event, format_timestamp, sign_drafts
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from ledger.storage import sequencer
from tests.ledger.scenario import BUYER, SELLER, T0, event_id, key_for, rotated_key


def drafts(tag: str, count: int) -> list[Draft]:
    return [
        Draft(
            flow="information",
            type="order.accepted",
            actor=BUYER,
            payload={"order_id": f"order-{tag}-{n}", "seller": BUYER},
            occurred_at=T0 + timedelta(days=1),
            event_id=event_id(f"{tag}-{n}"),
        )
        for n in range(count)
    ]


def counting_verifications(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    seen: list[bytes] = []
    real = sequencer.verify_signature

    def counted(public_key: bytes, message: bytes, signature: bytes) -> None:
        seen.append(message)
        real(public_key, message, signature)

    monkeypatch.setattr(sequencer, "verify_signature", counted)
    return seen


def refusal(call: Any) -> tuple[type[BaseException], str, str | None]:
    with pytest.raises(LedgerError) as caught:
        call()
    return type(caught.value), caught.value.detail, caught.value.field


def test_a_draft_signs_to_the_event_create_makes() -> None:
    draft = drafts("same", 1)[0]
    key = key_for(BUYER)
    made = Event.create(
        key,
        flow=draft.flow,
        type=draft.type,
        actor=draft.actor,
        payload=draft.payload,
        occurred_at=draft.occurred_at,
        event_id=draft.event_id,
    )
    signed = draft.sign(key)
    assert signed == made
    assert (signed.canonical, signed.signature) == (made.canonical, made.signature)


def test_signed_here_appends_the_same_entries_without_verifying_them(
    registered: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = drafts("signed-here", 80)  # above the size that spreads checks over threads
    key = key_for(BUYER)
    verified = counting_verifications(monkeypatch)

    prepared = registered.prepare_signed(key, batch)
    with registered.unit_of_work() as uow:
        entries = uow.append(prepared)
        uow.commit()

    assert verified == []
    assert [entry.event for entry in entries] == [draft.sign(key) for draft in batch]
    for entry in entries:
        stored = registered.entry(entry.seq)
        assert (stored.event.canonical, stored.event.signature) == (
            entry.event.canonical,
            entry.event.signature,
        )
    # the same events through the ordinary path are replays of these entries
    again = registered.append_batch([draft.sign(key) for draft in batch])
    assert [e.seq for e in again] == [e.seq for e in entries]
    assert all(e.replayed for e in again)


@pytest.mark.parametrize("signer", ["rotated", "other participant"])
def test_a_key_the_registry_does_not_hold_is_refused_as_before(
    registered: Ledger, signer: str
) -> None:
    key: SigningKey = rotated_key(BUYER, 9) if signer == "rotated" else key_for(SELLER)
    batch = drafts(f"wrong-key-{signer}", 3)
    size = registered.size()

    def signed_here() -> None:
        prepared = registered.prepare_signed(key, batch)
        with registered.unit_of_work() as uow:
            uow.append(prepared)
            uow.commit()

    here = refusal(signed_here)
    before = refusal(lambda: registered.append_batch([draft.sign(key) for draft in batch]))
    assert here == before
    assert registered.size() == size


def test_an_empty_or_rule_breaking_batch_is_refused_as_before(registered: Ledger) -> None:
    key = key_for(BUYER)
    assert refusal(lambda: registered.prepare_signed(key, [])) == refusal(
        lambda: registered.prepare([])
    )
    late = [*drafts("future", 2)]
    late[1] = Draft(**{**_fields(late[1]), "occurred_at": T0 + timedelta(days=36500)})
    assert refusal(lambda: registered.prepare_signed(key, late)) == refusal(
        lambda: registered.prepare([d.sign(key) for d in late])
    )


def _fields(draft: Draft) -> dict[str, Any]:
    return {name: getattr(draft, name) for name in draft.__slots__}


def test_drafts_signed_on_threads_are_the_events_signed_one_by_one() -> None:
    key = key_for(BUYER)
    batch = drafts("threads", 300)  # three parts and a bit
    with ThreadPoolExecutor(2) as pool:
        assert sign_drafts(key, batch, pool) == [draft.sign(key) for draft in batch]
        assert sign_drafts(key, batch[:5], pool) == [draft.sign(key) for draft in batch[:5]]
    assert sign_drafts(key, batch, None) == [draft.sign(key) for draft in batch]


@pytest.mark.parametrize("bad_at", [0, 130, 299])
def test_drafts_signed_on_threads_refuse_the_first_bad_one_as_a_loop_does(bad_at: int) -> None:
    key = key_for(BUYER)
    batch = drafts("bad", 300)
    batch[bad_at] = Draft(**{**_fields(batch[bad_at]), "subjects": ("not an id!",)})
    batch[-1 if bad_at != 299 else 0] = Draft(  # a later (or other) one naive in time
        **{**_fields(batch[-1]), "occurred_at": datetime(2025, 1, 1)}
    )

    def one_by_one() -> None:
        for draft in batch:
            draft.sign(key)

    with ThreadPoolExecutor(2) as pool:
        assert refusal(lambda: sign_drafts(key, batch, pool)) == refusal(one_by_one)


def test_a_timestamp_kept_once_formatted_is_the_instants_form() -> None:
    """``format_timestamp`` keeps its answers: equal instants in other zones share one form,
    and a naive datetime is refused every time."""
    utc = datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)
    east = datetime(2026, 1, 1, 14, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert format_timestamp(utc) == format_timestamp(east) == "2026-01-01T12:00:00.123456Z"
    assert format_timestamp(utc + timedelta(microseconds=1)) == "2026-01-01T12:00:00.123457Z"
    for _ in range(2):
        with pytest.raises(InvalidEvent, match="timezone-aware"):
            format_timestamp(datetime(2026, 1, 1, 12, 0))
