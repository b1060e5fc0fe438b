"""An entry as the feature pass decodes it: the envelope's few fields and a payload struct.

Each handler names the payload fields it reads in a msgspec struct of its own, and the pass
decodes an entry's canonical bytes straight into ``Body[that struct]``: the fields nothing
reads (key ids, flows, order lines, any extra key) are skipped without being built, and no
dict is made at either level (an order's body decodes about four times faster than
orjson's parse of all of it).

The features stay those of the full parse, bit for bit:

- payload fields are typed ``Any``, so a value comes out as the full parse gave it (the
  same int, float, str, list or dict) and the handler converts it as it always has;
- a field read with a default (``p.get(name, default)``) has that default, so a missing
  key and a ``null`` read as they did; a field tested for presence defaults to ``UNSET``;
- a field the handler reads and its type's schema requires is required here: a body
  lacking one, which the ledger refuses on append, is refused by the decoder too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import msgspec

if TYPE_CHECKING:
    from credit.features.fold import Fold

P = TypeVar("P", bound=msgspec.Struct)


class Body(msgspec.Struct, Generic[P], kw_only=True, gc=False):
    """The envelope fields the handlers read (RFC 8785 bytes as stored), and the payload."""

    actor: str
    id: str
    occurred_at: str
    payload: P
    subjects: list[str] = []
    type: str


class Nothing(msgspec.Struct, gc=False):
    """A payload the handler reads no field of (it reads the envelope alone)."""


Handler = Callable[["Fold", Body[Any], Any, str], None]
Reader = tuple[type[msgspec.Struct], Handler]
"""A handler and the payload struct its entries are decoded into."""


def reads(payload: type[P], handler: Callable[[Fold, Body[P], P, str], None]) -> Reader:
    """``handler`` of the entries whose payload is decoded into ``payload`` (the pair is
    checked to agree: the handler reads the struct it is given)."""
    return payload, handler


def decoder(payload: type[msgspec.Struct]) -> Callable[[bytes], Body[Any]]:
    """The decode of a whole entry's bytes with this payload struct."""
    decode: Callable[[bytes], Body[Any]] = msgspec.json.Decoder(Body[payload]).decode  # type: ignore[valid-type]
    return decode
