"""The canonical text of one value in a CBV 2.0 pre-hash string.

Every value, standard or extension, goes through the same steps: JSON scalars become their
XML text (``true``, not ``True``), the ``gs1:``/``cbv:`` CURIEs and the CBV 1.x URNs become
web URIs, numbers lose their trailing zeros (``26.0`` -> ``26``, ``0.100`` -> ``0.1``), and
GS1 identifiers (EPC URNs, Digital Link URIs on any domain) become the canonical Digital
Link. Time fields are handled by :mod:`ledger.epcis.timestamps` instead.
"""

from __future__ import annotations

import re
from decimal import Context, Decimal, InvalidOperation

from ledger.traceability.epcis.digital_link import canonical_id
from ledger.traceability.epcis.vocab import cbv_urn_to_web, expand_curie

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_WIDE = Context(prec=400)


def scalar_text(value: object) -> str:
    """The XML text of a JSON scalar: booleans in lower case, numbers in their shortest form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def canonical_number(text: str) -> str | None:
    """Plain decimal notation without superfluous zeros, or ``None`` if ``text`` is no number."""
    if not _NUMBER.fullmatch(text):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if abs(number.adjusted()) > 300:
        return None
    return format(number.normalize(_WIDE), "f")


def canonical_value(text: str) -> str:
    """The pre-hash form of a (stripped, non-time) value."""
    text = cbv_urn_to_web(expand_curie(text))
    number = canonical_number(text)
    if number is not None:
        return number
    return canonical_id(text) or text
