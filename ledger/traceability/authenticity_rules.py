"""Anti-counterfeit check of one item: origin, brand, certifications, impossible histories. Pure.

:func:`assess` is pure over the item's live events in time order. Flags name histories that
cannot be true: ``commissioned_twice`` (two commissioning events), ``two_places_at_once``
(two events at the same instant with different read points or business locations) and
``after_destroyed`` (an event after one that destroyed the item). The verdict is
``suspicious`` when any flag is raised, ``authentic`` when the item has a commissioning
event and no flag, ``unknown`` when its origin was never captured; the answer names whose
signatures it rests on (:func:`rests_on`). The ledger computes it
over its index, ``verify-trace`` over the proven entries of the answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ledger.core.events import format_timestamp
from ledger.traceability.answer import Source
from ledger.traceability.epcis import EpcisEvent
from ledger.traceability.epcis.digital_link import canonical_id_or_self

COMMISSIONING = "https://ref.gs1.org/cbv/BizStep-commissioning"
DESTROYING = "https://ref.gs1.org/cbv/BizStep-destroying"
DESTROYED = "https://ref.gs1.org/cbv/Disp-destroyed"
_EPC_URN = re.compile(r"^urn:epc:(?:id|idpat|class):[a-z]+:(\d{6,12})\.")


@dataclass(frozen=True, slots=True)
class Observed:
    """One live EPCIS event as read back from its entry."""

    seq: int
    event: EpcisEvent
    captured_by: str
    signed_by: str


def _commissions(item: str, seen: Observed) -> bool:
    event = seen.event
    return (
        event.event_type == "ObjectEvent"
        and event.action == "ADD"
        and event.biz_step == COMMISSIONING
        and item in event.epc_list + event.quantity_classes("quantityList")
    )


def _destroys(seen: Observed) -> bool:
    return seen.event.disposition == DESTROYED or seen.event.biz_step == DESTROYING


def _place(seen: Observed) -> tuple[str | None, str | None]:
    return (seen.event.read_point, seen.event.biz_location)


def flags(item: str, observed: Sequence[Observed]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    commissions = [s.seq for s in observed if _commissions(item, s)]
    if len(commissions) > 1:
        out.append({"flag": "commissioned_twice", "seqs": commissions})
    by_time: dict[Any, list[Observed]] = {}
    for seen in observed:
        by_time.setdefault(seen.event.event_time, []).append(seen)
    for group in by_time.values():
        places = {_place(s) for s in group if any(_place(s))}
        if len(places) > 1:
            out.append({"flag": "two_places_at_once", "seqs": [s.seq for s in group]})
    destroyed = next((s for s in observed if _destroys(s)), None)
    if destroyed is not None:
        later = [
            s.seq
            for s in observed
            if s.event.event_time > destroyed.event.event_time and s.seq != destroyed.seq
        ]
        if later:
            out.append({"flag": "after_destroyed", "seqs": [destroyed.seq, *later]})
    return out


def company_prefix(raw_ids: Sequence[str]) -> str | None:
    for raw in raw_ids:
        match = _EPC_URN.match(raw)
        if match:
            return match.group(1)
    return None


def assess(item: str, raw_ids: Sequence[str], observed: Sequence[Observed]) -> dict[str, Any]:
    origin_event = next((s for s in observed if _commissions(item, s)), None)
    raised = flags(item, observed)
    certifications = []
    for seen in observed:
        info = seen.event.event.get("certificationInfo")
        for value in info if isinstance(info, list) else [info] if info else []:
            certifications.append({"seq": seen.seq, "certification": value})
    verdict = "suspicious" if raised else "authentic" if origin_event else "unknown"
    origin = None
    if origin_event is not None:
        origin = {
            "seq": origin_event.seq,
            "event_time": format_timestamp(origin_event.event.event_time),
            "biz_location": origin_event.event.biz_location,
            "read_point": origin_event.event.read_point,
            "captured_by": origin_event.captured_by,
            "signed_by": origin_event.signed_by,
            "sender_signed": origin_event.signed_by == origin_event.captured_by,
        }
    gtin = re.search(r"/01/(\d{14})", item)
    return {
        "id": item,
        "verdict": verdict,
        "commissioning": origin,  # "origin" names the ledger in every answer
        "brand": {
            "gtin": gtin.group(1) if gtin else None,
            "company_prefix": company_prefix(raw_ids),
        },
        "certifications": certifications,
        "flags": raised,
        "events": [s.seq for s in observed],
        "rests_on": rests_on(observed),
    }


def rests_on(observed: Sequence[Observed]) -> list[dict[str, Any]]:
    """Whose signatures the verdict rests on: each signer, its events, and in what capacity.

    A sender-signed entry is signed by the participant that captured the event; a notarised
    one only by the capture notary, which attests that an API key of ``captured_by`` sent it.
    """
    by: dict[tuple[str, str], list[int]] = {}
    for seen in observed:
        by.setdefault((seen.signed_by, seen.captured_by), []).append(seen.seq)
    return [
        {
            "signed_by": signer,
            "captured_by": capturer,
            "capacity": "sender" if signer == capturer else "notary",
            "events": seqs,
        }
        for (signer, capturer), seqs in sorted(by.items())
    ]


def observed_events(source: Source, items: Sequence[str]) -> list[Observed]:
    """Live EPCIS events naming ``items``, in time order."""
    events = source.events(source.live(source.naming(items)))
    out = [Observed(seq, *pair) for seq, pair in events.items()]
    return sorted(out, key=lambda o: (o.event.event_time, o.seq))


def raw_ids(item: str, canonical: str, observed: Sequence[Observed]) -> list[str]:
    """How the item was written (EPC URNs carry the company prefix, Digital Links do not)."""
    raw = [item]
    for seen in observed:
        for key in ("epcList", "childEPCs", "inputEPCList", "outputEPCList"):
            raw.extend(
                v
                for v in seen.event.event.get(key) or []
                if isinstance(v, str) and canonical_id_or_self(v) == canonical
            )
        parent = seen.event.event.get("parentID")
        if isinstance(parent, str) and canonical_id_or_self(parent) == canonical:
            raw.append(parent)
    return raw


def authenticity_body(source: Source, item: str) -> tuple[set[int], dict[str, Any]]:
    canonical = canonical_id_or_self(item)
    observed = observed_events(source, [canonical])
    return {o.seq for o in observed}, assess(
        canonical, raw_ids(item, canonical, observed), observed
    )
