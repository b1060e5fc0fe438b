"""GS1 Digital Link URIs in their one canonical form, and the single entry point for ids.

A GS1 key can be written as an EPC URN or as a Digital Link URI on any resolver domain, with
short names (``/gtin/``), a 13-digit GTIN, a query string, a CPV qualifier or a lot next to
a serial. :func:`normalise_digital_link` reduces all of these to the constrained canonical
URI on ``https://id.gs1.org`` with the primary key, its finest qualifier and nothing else,
as the CBV 2.0 event hash requires. The accepted character set of the result is the one of
the hash reference (GS1 AI characters that need no percent-encoding); anything outside it is
left for the caller to keep verbatim.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from ledger.traceability.epcis.urn import epc_urn_to_digital_link

_PRIMARY = frozenset(
    {"01", "8006", "8010", "414", "417", "8017", "8018", "255", "00", "253", "401", "402"}
    | {"8003", "8004"}
)
_SHORT_KEYS = {
    "gtin": "01",
    "itip": "8006",
    "cpid": "8010",
    "gln": "414",
    "party": "417",
    "gsrnp": "8017",
    "gsrn": "8018",
    "gcn": "255",
    "sscc": "00",
    "gdti": "253",
    "ginc": "401",
    "gsin": "402",
    "grai": "8003",
    "giai": "8004",
}
_SHORT_QUALIFIERS = {"cpv": "22", "lot": "10", "ser": "21"}
_KEY_VALUE = re.compile(r"\d{4}[^/]+")

_X = r"[\"'\-.0-9;-?A-Z_a-z]"
_CANONICAL = re.compile(
    "|".join(
        (
            r"00/\d{18}",
            rf"01/\d{{14}}(?:/(?:21|10)/{_X}{{0,20}}|/235/{_X}{{0,28}})?",
            rf"253/\d{{13}}{_X}{{0,17}}",
            r"255/\d{13}\d{0,12}",
            rf"401/{_X}{{0,30}}",
            r"402/\d{17}",
            rf"414/\d{{13}}(?:/254/{_X}{{0,20}})?",
            r"417/\d{13}",
            rf"8003/\d{{14}}{_X}{{0,16}}",
            rf"8004/{_X}{{0,30}}",
            rf"8006/\d{{18}}(?:/(?:21|10)/{_X}{{0,20}})?",
            r"8010/[#\-/0-9A-Z]{0,30}(?:/8011/\d{0,12})?",
            r"8017/\d{18}",
            r"8018/\d{18}",
        )
    )
)
_CPV = re.compile(rf"{_X}{{0,20}}")
_DL = "https://id.gs1.org/"


def normalise_digital_link(uri: str) -> str | None:
    """The canonical form of a GS1 Digital Link URI, or ``None`` if ``uri`` is not one."""
    if not uri.startswith(("http://", "https://")):
        return None
    parts = urlsplit(uri.split("?", 1)[0])
    segments = parts.path.split("/")
    start = _primary_key_at(segments)
    if start is None:
        return None
    path = segments[start:]
    path[0] = _SHORT_KEYS.get(path[0], path[0])
    for i in range(2, len(path), 2):
        path[i] = _SHORT_QUALIFIERS.get(path[i], path[i])
    if path and path[-1] == "":
        path.pop()
    if path[0] == "01" and path[1].isdigit() and len(path[1]) in (8, 12, 13):
        path[1] = path[1].zfill(14)
    if path[0] in ("01", "8006") and len(path) >= 4 and path[2] == "22" and _CPV.fullmatch(path[3]):
        del path[2:4]
    if path[0] in ("01", "8006") and len(path) == 6 and path[2] == "10" and path[4] == "21":
        del path[2:4]
    candidate = "/".join(path)
    if not _CANONICAL.fullmatch(candidate):
        return None
    return _DL + candidate


def _primary_key_at(segments: list[str]) -> int | None:
    """Index of the first path segment naming a primary key that is followed by its value."""
    for i, seg in enumerate(segments[:-1]):
        key = _SHORT_KEYS.get(seg, seg)
        if key in _PRIMARY and _KEY_VALUE.match(segments[i + 1]):
            return i
    return None


@lru_cache(maxsize=1 << 16)
def canonical_id(value: str) -> str | None:
    """The canonical Digital Link of an EPC URN or a Digital Link URI; ``None`` for others.

    Pure, and asked of the same ids many times per capture (subjects, index rows, links):
    the answers of recent ids are kept.
    """
    if value.startswith("urn:epc:"):
        return epc_urn_to_digital_link(value)
    return normalise_digital_link(value)


def canonical_id_or_self(value: str) -> str:
    """:func:`canonical_id`, falling back to ``value`` itself for non-GS1 identifiers."""
    return canonical_id(value) or value
