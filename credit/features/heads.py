"""An entry's actor, time and id read from its canonical bytes, for rows the pass need not parse.

A stored body is the RFC 8785 form of exactly the event's fields (``Event.from_canonical``
refuses any other bytes), so its keys come sorted: ``actor, flow, id, key_id, occurred_at,
payload, subjects, type``. The actor is an identifier (``check_identifier``: no quote, no
backslash), the flow one of three words, the id a UUID (36 characters), the key id 16 hex
digits, the time an RFC 3339 stamp: none is escaped, so a body begins

    {"actor":"<actor>","flow":"<flow>","id":"<uuid>","key_id":"<16 hex>","occurred_at":"<time>",

and the first ``","occurred_at":"`` in it is that key's (nothing before it holds a quote). The
fold reads the actor, and the time when it has the 27-character form, from there; it checks
the positions it relies on and parses the body when one does not hold.

Why only some types (measured per row: orjson about 0.85 µs for a whole body and 0.65 µs for
its payload alone; these reads about 0.4 µs): parsing the payload alone saves little, so
the gain is in not parsing at all. That is so for a type that counts nothing outside its
window (:data:`OUTSIDE`: older entries give their actor's tenure and nothing else) and for an
invoice, which needs its id and actor only (:func:`follow_invoice`). Types whose handlers
read their payload on every entry (orders, payments, shipments...) are parsed as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from credit.features.party import INVOICE, Party
from credit.features.stamps import STAMP_LENGTH

if TYPE_CHECKING:
    from credit.features.fold import Fold

ACTOR = b'{"actor":"'
ACTOR_AT = len(ACTOR)
OCCURRED = b'","occurred_at":"'
STAMP = len(OCCURRED)
STAMP_END = STAMP + STAMP_LENGTH  # the closing quote of a 27-character time
_KEY_ID = b'","key_id":"'
_ID_AT = len(_KEY_ID) + 16 + 36  # from the key id's key back to the start of the id
NEWEST = "~"  # after every time (they begin with a digit): a window open to the future

# a type whose handler counts nothing when its time is older than the window's edge (the
# Fold attribute named): only the tenure of its actor, read from the bytes
OUTSIDE = {
    "goods.packed": "recent",
    "order.cancelled": "recent",
    "customs.declared": "half_year",
    "customs.held": "half_year",
    "goods.lost": "half_year",
    "review.posted": "half_year",
    "dispute.opened": "half_year",
}
INVOICE_TYPE = "invoice.issued"

Reader = Callable[["Fold", bytes, int, Party], bool]
Edges = tuple[str, str, "Reader | None"]


def follow_invoice(fold: Fold, canonical: bytes, at: int, actor: Party) -> bool:
    """A mature invoice (its time at most ``mature_by``: younger ones are outside) followed
    for its answers by its id, read from before the key id; False (the body is parsed) when
    the bytes are not of the shape described above."""
    start = at - _ID_AT
    if canonical[at - len(_KEY_ID) - 16 : at - 16] != _KEY_ID or canonical[start - 1] != 34:
        return False
    fold.follow(canonical[start : start + 36].decode(), actor, INVOICE)
    actor.c["inv_mature"] += 1
    return True


def outside_edges(fold: Fold) -> dict[str, Edges]:
    """Per type read from its bytes: ``(older, newer, reader)``. A time before ``older`` or
    after ``newer`` is outside every window of the type (tenure only); one inside is given
    to ``reader``, or parsed when there is none."""
    edges: dict[str, Edges] = {t: (getattr(fold, a), NEWEST, None) for t, a in OUTSIDE.items()}
    edges[INVOICE_TYPE] = ("", fold.mature_by, follow_invoice)  # younger: not yet mature
    return edges
