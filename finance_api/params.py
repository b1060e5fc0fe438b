"""Bounded request parameters: sequence numbers fit 63 bits and instants fit the calendar.

A time with an offset that puts it past year 9999 in UTC (``9999-12-31T23:59:59-23:59``)
is refused here with a 422 naming the parameter, instead of overflowing deeper down.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ledger.core.errors import InvalidEvent

MAX_SEQ = 2**63 - 1
MAX_INSTANT_LENGTH = 40


def instant(text: str | None, field: str) -> datetime | None:
    """An ISO 8601 date-time with a zone, as UTC, or None; anything else is a 422."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        if moment.tzinfo is None:
            raise InvalidEvent("must carry a time zone, e.g. 2026-01-01T00:00:00Z", field=field)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidEvent("must be an ISO 8601 date-time with a time zone", field=field) from None
