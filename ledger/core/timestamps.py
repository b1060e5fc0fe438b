"""Events' one timestamp form (RFC 3339, UTC, microseconds, ``Z``), written and read.

Every event's ``occurred_at``, and every recording time an entry or receipt shows, is this
text; :mod:`ledger.core.events` signs it inside the canonical body.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from ledger.core.errors import InvalidEvent

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")


@lru_cache(maxsize=1 << 12)
def format_timestamp(moment: datetime) -> str:
    """The one timestamp form events use: UTC, microseconds, ``Z``.

    Pure, and asked of the same instants often (an append stamps a whole batch with one
    recording time, shown in every entry and every receipt): recent answers are kept.
    Aware datetimes that compare equal are the same instant, so they have one form; a
    naive one raises, and a refusal is not kept.

    The form is ``strftime("%Y-%m-%dT%H:%M:%S.%fZ")`` of the UTC instant. From year 1000 on
    ``isoformat`` writes the same text but for its ``+00:00`` ending (a UTC instant's only
    offset), in half strftime's time (each captured EPCIS event has its own time, so the
    cache rarely answers there); an earlier year keeps strftime, whose ``%Y`` does not pad
    it to four digits as ``isoformat`` does (tested against strftime).
    """
    if moment.tzinfo is None:
        raise InvalidEvent("timestamps must be timezone-aware", field="occurred_at")
    utc = moment.astimezone(UTC)
    if utc.year < 1000:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return utc.isoformat(timespec="microseconds")[:-6] + "Z"


def parse_timestamp(text: Any, *, field: str = "occurred_at") -> datetime:
    if not isinstance(text, str) or not _TIMESTAMP.match(text):
        raise InvalidEvent("must be an RFC 3339 UTC timestamp ending in Z", field=field)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidEvent(f"not a valid date: {exc}", field=field) from exc
