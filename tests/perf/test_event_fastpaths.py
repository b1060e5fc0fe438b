"""Shortcuts in ``ledger.events`` decide exactly as the code they replaced."""

from __future__ import annotations

import uuid

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ledger.core import events


def old_is_lower_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


uuid_like = st.uuids().flatmap(
    lambda u: st.sampled_from(
        [str(u), str(u).upper(), u.hex, f"{{{u}}}", f"urn:uuid:{u}", f" {u}", f"{u}\n"]
    )
)


@settings(max_examples=500, deadline=None)
@given(uuid_like | st.text(alphabet="0123456789abcdefABCDEF-_{}:urnid \n", max_size=45))
@example("12345678-1234-1234-1234-1234567890ab")
@example("12345678_1234-1234-1234-1234567890ab")
@example("1234567-81234-1234-1234-1234567890ab")
def test_uuid_pattern_is_the_round_trip_check(value: str) -> None:
    assert bool(events._UUID.fullmatch(value)) == old_is_lower_uuid(value)
