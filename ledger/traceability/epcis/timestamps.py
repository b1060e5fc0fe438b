"""EPCIS timestamps: parsing, and the CBV 2.0 hash form (UTC, milliseconds, ``Z``).

The hash writes every standard time field in UTC at exactly millisecond precision: more
digits are rounded half-up on the fourth (``.1415`` -> ``.142``), fewer are zero-filled
(``.1`` -> ``.100``, none -> ``.000``). A timestamp without a zone is read as UTC rather
than in the machine's local zone, so the result never depends on where it runs.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

_ISO = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<h>\d{2}):(?P<m>\d{2})"
    r"(?::(?P<s>\d{2})(?:[.,](?P<frac>\d+))?)?"
    r"\s*(?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?)?"
)


def parse_timestamp(text: str) -> tuple[datetime, Decimal]:
    """Split an ISO 8601 timestamp into a UTC datetime (whole seconds) and its fraction.

    Raises ``ValueError`` when ``text`` is not a timestamp.
    """
    m = _ISO.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"not an ISO 8601 date-time: {text!r}")
    year, month, day = (int(x) for x in m["date"].split("-"))
    zone = m["tz"]
    try:
        base = datetime(year, month, day, int(m["h"]), int(m["m"]), int(m["s"] or 0))
        if zone is None or zone in ("Z", "z"):
            tz = UTC
        else:
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
            tz = timezone(sign * offset)
        whole = base.replace(tzinfo=tz).astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"not a valid date-time ({exc}): {text!r}") from None
    fraction = Decimal("0." + m["frac"]) if m["frac"] else Decimal(0)
    return whole, fraction


def _plus(instant: datetime, delta: timedelta, text: str) -> datetime:
    try:
        return instant + delta
    except OverflowError:
        raise ValueError(f"date-time out of range: {text!r}") from None


@lru_cache(maxsize=1 << 14)
def to_utc_datetime(text: str) -> datetime:
    """The instant of an ISO 8601 timestamp as an aware UTC datetime (microseconds kept).

    Pure (a refusal raises, and is not kept): a capture reads each event's time when it
    parses the event and again when its entry is indexed, so recent answers are kept.
    """
    whole, fraction = parse_timestamp(text)
    micros = int((fraction * 1_000_000).to_integral_value(rounding=ROUND_HALF_UP))
    return _plus(whole, timedelta(microseconds=micros), text)


def hash_timestamp(text: str) -> str:
    """The CBV 2.0 hash form of a timestamp; text that is no timestamp is returned as is."""
    try:
        whole, fraction = parse_timestamp(text)
        millis = int((fraction * 1000).to_integral_value(rounding=ROUND_HALF_UP))
        instant = _plus(whole, timedelta(milliseconds=millis), text)
    except ValueError:
        return text
    return (
        f"{instant.year:04d}-{instant.month:02d}-{instant.day:02d}T"
        f"{instant.hour:02d}:{instant.minute:02d}:{instant.second:02d}."
        f"{instant.microsecond // 1000:03d}Z"
    )
