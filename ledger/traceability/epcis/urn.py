"""EPC URNs (pure identity, class and pattern URIs) to canonical GS1 Digital Link URIs.

The CBV 2.0 event hash compares identifiers in one form, the canonical GS1 Digital Link URI
on ``https://id.gs1.org``, so ``urn:epc:id:sgtin:0614141.107346.2018`` and
``https://id.gs1.org/01/10614141073464/21/2018`` are the same object. The conversion follows
the GS1 Tag Data Standard: the company prefix and the reference are re-joined (an
indicator digit moves to the front), the GS1 check digit is computed, and the serial part
is carried over verbatim (percent-escapes stay escaped; ``! ( ) * + , :`` are not escaped,
as in the current reference of the event hash).
"""

from __future__ import annotations

import re
from collections.abc import Callable

_CHAR = r"(?:%[0-9A-Fa-f]{2}|[!'()*+,\-.0-9:;=A-Za-z_])"
_DL = "https://id.gs1.org"


def check_digit(digits: str) -> str:
    """GS1 modulo-10 check digit of ``digits`` (weights 3,1,3,... from the right)."""
    if not digits.isdigit():
        raise ValueError(f"not a digit string: {digits!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def with_check_digit(digits: str) -> str:
    return digits + check_digit(digits)


def _split(cp: str, ref: str, width: int) -> bool:
    """The company prefix has 6-12 digits and prefix + reference has ``width`` digits."""
    return 6 <= len(cp) <= 12 and len(cp) + len(ref) == width


def _gtin(cp: str, item_ref: str) -> str | None:
    if not _split(cp, item_ref, 13):
        return None
    return with_check_digit(item_ref[:1] + cp + item_ref[1:])


def _sgtin(m: re.Match[str]) -> str | None:
    gtin = _gtin(m["cp"], m["ref"])
    return None if gtin is None else f"{_DL}/01/{gtin}/21/{m['ser']}"


def _lgtin(m: re.Match[str]) -> str | None:
    gtin = _gtin(m["cp"], m["ref"])
    return None if gtin is None else f"{_DL}/01/{gtin}/10/{m['ser']}"


def _upui(m: re.Match[str]) -> str | None:
    gtin = _gtin(m["cp"], m["ref"])
    return None if gtin is None else f"{_DL}/01/{gtin}/235/{m['ser']}"


def _gtin_pattern(m: re.Match[str]) -> str | None:
    gtin = _gtin(m["cp"], m["ref"])
    return None if gtin is None else f"{_DL}/01/{gtin}"


def _sscc(m: re.Match[str]) -> str | None:
    cp, ref = m["cp"], m["ref"]
    if not _split(cp, ref, 17):
        return None
    return f"{_DL}/00/{with_check_digit(ref[:1] + cp + ref[1:])}"


def _sgln(m: re.Match[str]) -> str | None:
    cp, ref, ext = m["cp"], m["ref"], m["ser"]
    if not _split(cp, ref, 12):
        return None
    gln = with_check_digit(cp + ref)
    return f"{_DL}/414/{gln}" if ext == "0" else f"{_DL}/414/{gln}/254/{ext}"


def _twelve(
    ai: str, *, pad: str = "", keep_serial: bool = True
) -> Callable[[re.Match[str]], str | None]:
    """Keys made of prefix + reference (12 digits) + check digit, then an optional serial."""

    def convert(m: re.Match[str]) -> str | None:
        cp, ref = m["cp"], m["ref"]
        if not _split(cp, ref, 12):
            return None
        serial = (m.groupdict().get("ser") or "") if keep_serial else ""
        return f"{_DL}/{ai}/{pad}{with_check_digit(cp + ref)}{serial}"

    return convert


def _fixed(ai: str, width: int) -> Callable[[re.Match[str]], str | None]:
    """Keys made of prefix + reference (``width`` digits) + check digit."""

    def convert(m: re.Match[str]) -> str | None:
        cp, ref = m["cp"], m["ref"]
        if not _split(cp, ref, width):
            return None
        return f"{_DL}/{ai}/{with_check_digit(cp + ref)}"

    return convert


def _plain(ai: str) -> Callable[[re.Match[str]], str | None]:
    """Keys that are prefix + free reference, no check digit (GIAI, GINC)."""

    def convert(m: re.Match[str]) -> str | None:
        cp, ref = m["cp"], m["ser"]
        if not 6 <= len(cp) <= 12 or len(cp) + _unescaped_len(ref) > 30:
            return None
        return f"{_DL}/{ai}/{cp}{ref}"

    return convert


def _cpi(m: re.Match[str]) -> str | None:
    cp, ref = m["cp"], m["cpref"]
    if not 6 <= len(cp) <= 12:
        return None
    serial = m.groupdict().get("ser")
    tail = "" if serial is None else f"/8011/{serial}"
    return f"{_DL}/8010/{cp}{ref}{tail}"


def _itip(m: re.Match[str]) -> str | None:
    gtin = _gtin(m["cp"], m["ref"])
    if gtin is None:
        return None
    base = f"{_DL}/8006/{gtin}{m['piece']}{m['total']}"
    serial = m.groupdict().get("ser")
    return base if serial is None else f"{base}/21/{serial}"


def _unescaped_len(text: str) -> int:
    return len(re.sub(r"%[0-9A-Fa-f]{2}", "_", text))


_D = r"(?P<cp>\d{6,12})\.(?P<ref>\d*)"
_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str | None]], ...] = tuple(
    (re.compile(pattern), convert)
    for pattern, convert in (
        (rf"urn:epc:id:sgtin:{_D}\.(?P<ser>{_CHAR}{{1,20}})", _sgtin),
        (rf"urn:epc:id:sscc:{_D}", _sscc),
        (rf"urn:epc:id:sgln:{_D}\.(?P<ser>{_CHAR}{{1,20}})", _sgln),
        (rf"urn:epc:id:grai:{_D}\.(?P<ser>{_CHAR}{{0,16}})", _twelve("8003", pad="0")),
        (rf"urn:epc:id:giai:(?P<cp>\d{{6,12}})\.(?P<ser>{_CHAR}{{1,24}})", _plain("8004")),
        (rf"urn:epc:id:gsrn:{_D}", _fixed("8018", 17)),
        (rf"urn:epc:id:gsrnp:{_D}", _fixed("8017", 17)),
        (rf"urn:epc:id:gdti:{_D}\.(?P<ser>{_CHAR}{{0,17}})", _twelve("253")),
        (
            r"urn:epc:id:cpi:(?P<cp>\d{6,12})\.(?P<cpref>(?:%2[3dfDF]|[0-9A-Z\-])*)"
            r"\.(?P<ser>\d{1,12})",
            _cpi,
        ),
        (rf"urn:epc:id:sgcn:{_D}\.(?P<ser>\d{{0,12}})", _twelve("255")),
        (rf"urn:epc:id:ginc:(?P<cp>\d{{6,12}})\.(?P<ser>{_CHAR}{{1,24}})", _plain("401")),
        (rf"urn:epc:id:gsin:{_D}", _fixed("402", 16)),
        (
            rf"urn:epc:id:itip:{_D}\.(?P<piece>\d{{2}})\.(?P<total>\d{{2}})"
            rf"\.(?P<ser>{_CHAR}{{1,20}})",
            _itip,
        ),
        (rf"urn:epc:id:upui:{_D}\.(?P<ser>{_CHAR}{{1,28}})", _upui),
        (rf"urn:epc:id:pgln:{_D}", _fixed("417", 12)),
        (rf"urn:epc:class:lgtin:{_D}\.(?P<ser>{_CHAR}{{1,20}})", _lgtin),
        (rf"urn:epc:idpat:sgtin:{_D}\.\*", _gtin_pattern),
        (rf"urn:epc:idpat:upui:{_D}\.\*", _gtin_pattern),
        (rf"urn:epc:idpat:grai:{_D}\.\*", _twelve("8003", pad="0", keep_serial=False)),
        (rf"urn:epc:idpat:gdti:{_D}\.\*", _twelve("253", keep_serial=False)),
        (rf"urn:epc:idpat:sgcn:{_D}\.\*", _twelve("255", keep_serial=False)),
        (
            r"urn:epc:idpat:cpi:(?P<cp>\d{6,12})\.(?P<cpref>(?:%2[3dfDF]|[0-9A-Z\-])*)"
            r"\.\*",
            _cpi,
        ),
        (
            rf"urn:epc:idpat:itip:{_D}\.(?P<piece>\d{{2}})\.(?P<total>\d{{2}})\.\*",
            _itip,
        ),
    )
)


def epc_urn_to_digital_link(urn: str) -> str | None:
    """The canonical GS1 Digital Link URI of an EPC URN, or ``None`` if ``urn`` is not one."""
    if not urn.startswith("urn:epc:"):
        return None
    for pattern, convert in _RULES:
        m = pattern.fullmatch(urn)
        if m is not None:
            return convert(m)
    return None
