"""Extension namespaces: which prefix stands for which namespace, in JSON-LD and in the hash.

An extension field is ``prefix:local`` in JSON-LD and ``{namespace}local`` in the pre-hash
string, with the namespace exactly as declared (``http://ns/`` and ``http://ns`` differ).
A normalised event carries, in its own ``@context``, every prefix it uses except the
built-in ones below, so it can be hashed, stored and exported without its document.

Built-ins follow the hash reference: ``gs1`` is always ``https://ref.gs1.org/voc/``;
``cbv``, ``epcis`` and ``cbvmda`` have defaults a document may override (``cbvmda`` defaults
to the XML form ``urn:epcglobal:cbv:mda``, without the trailing colon of the JSON-LD
context, so XML twins hash alike; a document that declares the colon keeps it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger.traceability.epcis.vocab import CBV_WEB, EPCIS_NS, GS1_VOC

FORCED = {"gs1": GS1_VOC}
DEFAULTS = {"cbv": CBV_WEB, "epcis": EPCIS_NS, "cbvmda": "urn:epcglobal:cbv:mda"}


def prefixes_of_context(context: Any) -> dict[str, str]:
    """The ``prefix -> namespace`` declarations of a JSON-LD ``@context`` value.

    Remote contexts (strings) declare nothing here; the standard EPCIS context's own
    prefixes are the built-ins. Term definitions with an ``@id`` count as prefixes too.
    """
    found: dict[str, str] = {}
    blocks = context if isinstance(context, list) else [context]
    for block in blocks:
        if not isinstance(block, dict):
            continue
        for term, target in block.items():
            if term.startswith("@"):
                continue
            if isinstance(target, dict):
                target = target.get("@id")
            if isinstance(target, str) and ":" in target:
                found[term] = target
    return found


def hash_namespaces(declared: Mapping[str, str]) -> dict[str, str]:
    """Prefix map the hash uses: the built-in defaults, then ``declared``, then forced ones."""
    return {**DEFAULTS, **declared, **FORCED}


def split_prefixed(key: str) -> tuple[str, str] | None:
    """``("ext1", "float")`` for ``"ext1:float"``; ``None`` for keys without a prefix."""
    prefix, sep, local = key.partition(":")
    if not sep or not prefix or local.startswith("//"):
        return None
    return prefix, local


def expanded_name(key: str, namespaces: Mapping[str, str]) -> str:
    """The pre-hash name of a key: ``{namespace}local`` when its prefix is known."""
    split = split_prefixed(key)
    if split is not None and split[0] in namespaces:
        return "{" + namespaces[split[0]] + "}" + split[1]
    return key


def needed_declarations(event: Mapping[str, Any], declared: Mapping[str, str]) -> dict[str, str]:
    """The declarations an event must carry: the declared prefixes it uses, minus built-ins.

    Prefixes of keys decide the hash; prefixes of values (``"type": "ex:Custom"``) are kept
    too, so the exported JSON-LD still means what was sent.
    """
    used = used_prefixes(event)
    needed: dict[str, str] = {}
    for prefix in sorted(used):
        if prefix in FORCED or prefix not in declared:
            continue
        if DEFAULTS.get(prefix) == declared[prefix]:
            continue
        needed[prefix] = declared[prefix]
    return needed


def used_prefixes(event: Mapping[str, Any]) -> set[str]:
    """Every prefix an event writes, in keys or in ``prefix:value`` strings."""
    used: set[str] = set()
    _collect_prefixes(event, used)
    return used


def _collect_prefixes(value: Any, used: set[str]) -> None:
    if isinstance(value, list):
        for item in value:
            _collect_prefixes(item, used)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "@context":
                continue
            split = split_prefixed(key)
            if split is not None:
                used.add(split[0])
            _collect_prefixes(item, used)
    elif isinstance(value, str):
        split = split_prefixed(value)
        if split is not None:
            used.add(split[0])
