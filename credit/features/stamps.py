"""Event times as the feature pass compares them: as text, against window edges found once.

An event's ``occurred_at`` is UTC with a ``Z``. In its 27-character form (microseconds)
text order is time order, so "within the last 90 days of the as-of point" is one string
comparison against an edge (:func:`cutoff`) instead of a parse per entry; shorter forms
(fewer digits of a second, which the ledger accepts) are rewritten to that form first
(:func:`fixed`). The edge is exactly where the pass's float age ``(as_of - t) / day``
crosses the window's length, so the text comparison agrees with the float one for every
time the ledger can hold; floats are made only where a figure needs one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ledger.core.events import format_timestamp

DAY = 86_400.0
STAMP_LENGTH = len("2024-01-01T00:00:00.000000Z")
_MICROSECOND = timedelta(microseconds=1)


def timestamp(text: str) -> float:
    """Seconds since the epoch of an event time, as the pass has always computed ages."""
    return datetime.fromisoformat(text).timestamp()


def fixed(text: str) -> str:
    """``text`` in the 27-character form (microseconds, ``Z``), where text order is time
    order."""
    if len(text) == STAMP_LENGTH:
        return text
    return format_timestamp(datetime.fromisoformat(text))


def age_days(as_of: float, text: str) -> float:
    """The age of an event at ``as_of`` in days, never below zero (a later event is new)."""
    age = (as_of - timestamp(text)) / DAY
    return age if age > 0.0 else 0.0


def cutoff(as_of: float, days: float, *, newer: bool) -> str:
    """The edge of a window as an event time in the 27-character form.

    With ``newer``, the oldest time whose age (:func:`age_days`) is at most ``days``: an
    event is in the window when its time is ``>=`` this. Else the newest time whose age is
    at least ``days``: in when ``<=``. Ages are monotone in time, so stepping a microsecond
    at a time from the estimate until the age crosses ``days`` finds the exact edge.
    """

    def inside(moment: datetime) -> bool:
        age = age_days(as_of, format_timestamp(moment))
        return age <= days if newer else age >= days

    moment = datetime.fromtimestamp(as_of - days * DAY, UTC)
    step = -_MICROSECOND if newer else _MICROSECOND  # towards the outside of the window
    while inside(moment):
        moment += step
    while not inside(moment):
        moment -= step
    return format_timestamp(moment)
