"""What an XML document from outside may not do: load a DTD, refer to entities, nest deeply.

The parser resolves no entities, loads no DTD and touches no network (no XXE, no billion
laughs). A document that carries a DTD or an entity reference anyway is refused with that
reason; depth is bounded before anything recurses over the tree.
"""

from __future__ import annotations

from lxml import etree

from ledger.traceability.epcis import xml_names as names
from ledger.traceability.epcis.errors import EpcisSyntaxError


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
    )


def refuse_dtd(root: etree._Element) -> None:
    info = root.getroottree().docinfo
    if getattr(info, "doctype", "") or info.internalDTD is not None or info.externalDTD is not None:
        raise EpcisSyntaxError(
            "XML documents may not carry a DTD (<!DOCTYPE ...>): entities are never expanded"
        )
    for node in root.iter(etree.Entity):
        raise EpcisSyntaxError(f"XML entity reference &{node.name}; is not allowed")


def check_depth(root: etree._Element) -> None:
    stack = [(root, 1)]
    while stack:
        el, depth = stack.pop()
        if depth > names.MAX_DEPTH:
            raise EpcisSyntaxError(f"XML document is nested deeper than {names.MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in el)
