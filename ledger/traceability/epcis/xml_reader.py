"""EPCIS 2.0 (and 1.x) XML documents read into JSON-LD-shaped events.

Many trading partners still send XML. Each XML event becomes the dict its JSON-LD twin
would be: ``readPoint/id`` -> ``{"id": ...}``, ``bizTransaction type=`` -> ``{"type",
"bizTransaction"}``, sensor attributes -> typed JSON values, CBV URNs -> bare terms, and
extension elements -> ``prefix:local`` keys with the prefixes declared in the event's own
``@context``. ``extension``/``baseExtension`` wrappers, comments, ``xsi:type`` and
whitespace disappear. So an XML event and its JSON twin are one event with one hash.

The parser resolves no entities, loads no DTD and touches no network; a document that
carries a DTD or an entity reference is refused with that reason, rather than stored with
the references silently emptied (what the sender meant would not be what was captured).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

from lxml import etree

from ledger.traceability.epcis import vocab
from ledger.traceability.epcis import xml_names as names
from ledger.traceability.epcis.errors import EpcisSyntaxError
from ledger.traceability.epcis.namespaces import FORCED, needed_declarations, used_prefixes
from ledger.traceability.epcis.xml_safety import check_depth, refuse_dtd, safe_parser


def read_xml(data: bytes) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The header attributes and the JSON-LD-shaped events of an EPCIS XML document.

    A bare event element (``<ObjectEvent>`` as the root) is accepted as a one-event document.
    """
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise EpcisSyntaxError(f"not well-formed XML: {exc}") from None
    refuse_dtd(root)
    check_depth(root)
    header = {str(k): str(v) for k, v in root.attrib.items() if etree.QName(k).namespace is None}
    return header, [_EventReader().event(el) for el in _event_elements(root)]


def _event_elements(root: etree._Element) -> list[etree._Element]:
    name = _local(root)
    if name in names.EVENT_TYPES:
        return [root]
    path: tuple[str, ...]
    if name == "EPCISDocument":
        path = ("EPCISBody", "EventList")
    elif name == "EPCISQueryDocument":
        path = ("EPCISBody", "QueryResults", "resultsBody", "EventList")
    else:
        raise EpcisSyntaxError(f"not an EPCIS document: root element is <{name}>")
    node = root
    for step in path:
        found = next((c for c in _children(node) if _local(c) == step), None)
        if found is None:
            raise EpcisSyntaxError(f"EPCIS XML without {'/'.join(path)}", field=step)
        node = found
    return list(_children(node))


def _local(el: etree._Element | str) -> str:
    return str(etree.QName(el).localname)


def _children(el: etree._Element) -> Iterator[etree._Element]:
    """Element children, with the EPCIS 1.x ``extension`` wrappers flattened away."""
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if etree.QName(child).namespace is None and child.tag in names.WRAPPERS:
            yield from _children(child)
        else:
            yield child


def _text(el: etree._Element) -> str:
    return (el.text or "").strip()


def _add(obj: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key``, turning a repeated key into a list as JSON-LD writes it."""
    if key not in obj:
        obj[key] = value
    elif isinstance(obj[key], list):
        obj[key].append(value)
    else:
        obj[key] = [obj[key], value]


def _number(text: str) -> int | float | str:
    if names.INT.fullmatch(text):
        return int(text)
    if names.FLOAT.fullmatch(text):
        number = float(text)
        return number if math.isfinite(number) else text
    return text


class _EventReader:
    """Converts one event element, collecting the extension prefixes it uses."""

    def __init__(self) -> None:
        self.prefixes: dict[str, str] = {}

    def event(self, el: etree._Element) -> dict[str, Any]:
        event: dict[str, Any] = {"type": _local(el)}
        self._attributes(el, event)
        for child in _children(el):
            key, value = self._standard(child)
            _add(event, key, value)
        for prefix in used_prefixes(event) - self.prefixes.keys() - FORCED.keys():
            namespace = el.nsmap.get(prefix)
            if namespace is not None:  # a CURIE value such as component="example:x"
                self.prefixes[prefix] = namespace
        declarations = needed_declarations(event, self.prefixes)
        if declarations:
            event["@context"] = declarations
        return event

    # -- standard fields ---------------------------------------------------------------
    def _standard(self, el: etree._Element) -> tuple[str, Any]:
        if not self._is_standard(el):
            return self._key(el), self._generic(el)
        name = _local(el)
        handler = self._handlers().get(name)
        if handler is not None:
            return name, handler(el)
        if name in names.TEXT_FIELDS or name == "certificationInfo":
            return name, _text(el)
        if name in names.ID_LISTS:
            return name, [_text(c) for c in _children(el)]
        if name in names.QUANTITY_LISTS:
            return name, [self._quantity(c) for c in _children(el)]
        if name in names.LINK_LISTS:
            member, vocabulary = names.LINK_LISTS[name]
            return name, [self._link(c, member, vocabulary) for c in _children(el)]
        return name, self._generic(el)

    def _handlers(self) -> dict[str, Callable[[etree._Element], Any]]:
        return {
            "bizStep": lambda el: vocab.compact_value(vocab.BIZ_STEP, _text(el)),
            "disposition": lambda el: vocab.compact_value(vocab.DISPOSITION, _text(el)),
            "persistentDisposition": self._persistent_disposition,
            "readPoint": self._location,
            "bizLocation": self._location,
            "sensorElementList": lambda el: [self._sensor_element(c) for c in _children(el)],
            "ilmd": self._object,
            "errorDeclaration": self._error_declaration,
        }

    def _quantity(self, el: etree._Element) -> dict[str, Any]:
        out: dict[str, Any] = {}
        self._attributes(el, out)
        for child in _children(el):
            if self._is_standard(child):
                name = _local(child)
                _add(out, name, _number(_text(child)) if name == "quantity" else _text(child))
            else:
                _add(out, self._key(child), self._generic(child))
        return out

    def _link(self, el: etree._Element, member: str, vocabulary: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        kind = el.get("type")
        if kind is not None:
            out["type"] = vocab.compact_value(vocabulary, kind.strip())
        out[member] = _text(el)
        return out

    def _persistent_disposition(self, el: etree._Element) -> dict[str, Any]:
        out: dict[str, list[str]] = {}
        for child in _children(el):
            out.setdefault(_local(child), []).append(
                vocab.compact_value(vocab.DISPOSITION, _text(child))
            )
        return out

    def _location(self, el: etree._Element) -> dict[str, Any]:
        return self._object(el)

    def _error_declaration(self, el: etree._Element) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for child in _children(el):
            name = _local(child)
            if not self._is_standard(child):
                _add(out, self._key(child), self._generic(child))
            elif name == "reason":
                out[name] = vocab.compact_value(vocab.ERROR_REASON, _text(child))
            elif name == "correctiveEventIDs":
                out[name] = [_text(c) for c in _children(child)]
            else:
                _add(out, name, self._generic(child))
        return out

    def _sensor_element(self, el: etree._Element) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for child in _children(el):
            name = _local(child)
            if self._is_standard(child) and name == "sensorReport":
                out.setdefault("sensorReport", []).append(self._sensor_report(child))
            elif self._is_standard(child) and name == "sensorMetadata":
                out[name] = self._object(child)
            else:
                _add(
                    out,
                    self._key(child) if not self._is_standard(child) else name,
                    self._generic(child),
                )
        return out

    def _sensor_report(self, el: etree._Element) -> dict[str, Any]:
        report = self._object(el)
        for name, value in list(report.items()):
            if not isinstance(value, str):
                continue
            if name in names.NUMERIC_SENSOR:
                report[name] = _number(value)
            elif name == "booleanValue" and value in ("true", "false"):
                report[name] = value == "true"
            elif name in names.SENSOR_VOCAB:
                report[name] = vocab.compact_value(names.SENSOR_VOCAB[name], value)
        return report

    # -- extensions and generic content ------------------------------------------------
    def _object(self, el: etree._Element) -> dict[str, Any]:
        """Attributes and child elements as one JSON object (text under ``#text``)."""
        out: dict[str, Any] = {}
        self._attributes(el, out)
        for child in _children(el):
            key = _local(child) if self._is_standard(child) else self._key(child)
            _add(out, key, self._generic(child))
        text = _text(el)
        if text:
            out["#text"] = text
        return out

    def _generic(self, el: etree._Element) -> Any:
        if not any(True for _ in _children(el)) and not self._has_attributes(el):
            return _text(el)
        return self._object(el)

    def _has_attributes(self, el: etree._Element) -> bool:
        return any(etree.QName(name).namespace != names.XSI for name in el.attrib)

    def _attributes(self, el: etree._Element, out: dict[str, Any]) -> None:
        for name, value in el.attrib.items():
            qname = etree.QName(name)
            if qname.namespace == names.XSI:
                continue
            if qname.namespace is None:
                out[str(qname.localname)] = value.strip()
            else:
                prefix = next(
                    (p for p, ns in el.nsmap.items() if ns == qname.namespace and p), None
                )
                out[self._prefixed(qname.namespace, prefix, qname.localname)] = value.strip()

    def _is_standard(self, el: etree._Element) -> bool:
        namespace = etree.QName(el).namespace
        return namespace is None or namespace in names.STANDARD_NAMESPACES

    def _key(self, el: etree._Element) -> str:
        qname = etree.QName(el)
        return self._prefixed(str(qname.namespace), el.prefix, qname.localname)

    def _prefixed(self, namespace: str, prefix: str | None, local: str) -> str:
        """``prefix:local``, choosing a prefix that means ``namespace`` in this event."""
        for known, bound in self.prefixes.items():
            if bound == namespace:
                return f"{known}:{local}"
        wanted = prefix or "ns"
        candidate, n = wanted, 0
        while candidate in self.prefixes or (
            candidate in FORCED and FORCED[candidate] != namespace
        ):
            n += 1
            candidate = f"{wanted}{n}"
        self.prefixes[candidate] = namespace
        return f"{candidate}:{local}"
