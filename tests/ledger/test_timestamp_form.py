"""Events' one timestamp form is strftime's UTC text, whichever way it is written."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ledger.core.errors import InvalidEvent
from ledger.core.events import format_timestamp


def _strftime_form(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_the_form_is_strftimes_for_any_instant_and_offset() -> None:
    rng = random.Random(16)
    zones = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=11))]
    moments = [
        datetime(1, 1, 2, tzinfo=UTC),
        datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),  # strftime leaves it unpadded
        datetime(1000, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))),  # UTC: year 999
        datetime(1000, 1, 1, tzinfo=UTC),
        datetime(2026, 12, 6, 21, 0, 0, 0, tzinfo=UTC),  # microseconds written as 000000
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    for _ in range(3000):
        seconds = rng.uniform(-6.2e10, 2.5e11)  # years 5 to 9892
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
        moments.append(moment.astimezone(rng.choice(zones)))
    for moment in moments:
        assert format_timestamp(moment) == _strftime_form(moment), moment


def test_a_naive_timestamp_is_refused() -> None:
    with pytest.raises(InvalidEvent, match="timezone-aware"):
        format_timestamp(datetime(2026, 1, 1))
