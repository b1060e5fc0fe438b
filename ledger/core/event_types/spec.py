"""What an event type is: its payload schema, who may write it, and who must confirm it.

A type is declared once, as data, in the module of its flow: the JSON Schema of its
payload, an :class:`Authority` (which roles may be the actor, and which payload fields must
name the actor) and, for claims that bind another party, a :class:`Confirmation` (which
payload fields name the parties whose signed confirmation makes the claim confirmed). The
appender enforces the authority at append time and every verifier replays it, so the same
declaration is the rule, the check and the documentation (the event-type catalogue).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ledger.core.event_types.examples import example_for

Schema = dict[str, Any]

ROLES = (
    "operator",
    "seller",
    "buyer",
    "warehouse",
    "carrier",
    "customs",
    "lender",
    "auditor",
    "platform",
    "insurer",
    "inspector",
    "price_publisher",
    "admin",
)
PARTICIPANT_ROLES = frozenset(ROLES) - {"operator", "auditor", "admin"}
"""Roles of firms that act in the three flows (auditors and admins only read and manage)."""


@dataclass(frozen=True, slots=True)
class Authority:
    """Who may be the actor of an event of this type.

    ``roles``: the actor must hold at least one of them. ``actor_fields``: each of these
    payload fields must name the actor (the payer of a payment, the lender of a loan).
    ``actor_one_of``: at least one of these payload fields must name the actor (a seller or
    a buyer may cancel an order).
    """

    roles: frozenset[str]
    actor_fields: tuple[str, ...] = ()
    actor_one_of: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [f"actor has role {' or '.join(sorted(self.roles))}"]
        parts.extend(f"payload.{name} names the actor" for name in self.actor_fields)
        if self.actor_one_of:
            names = " or ".join(f"payload.{name}" for name in self.actor_one_of)
            parts.append(f"{names} names the actor")
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class Confirmation:
    """A claim that binds other parties: it counts as confirmed once each party named by
    ``parties`` (payload fields) has signed a ``claim.confirmed`` entry referencing it."""

    parties: tuple[str, ...]

    def describe(self) -> str:
        names = ", ".join(f"payload.{name}" for name in self.parties)
        return f"confirmed once {names} signs claim.confirmed referencing it"


@dataclass(frozen=True, slots=True)
class EventType:
    flow: str
    name: str
    schema: Schema
    authority: Authority
    summary: str
    confirmation: Confirmation | None = None
    example: Mapping[str, Any] = field(default_factory=dict)

    def catalogue_entry(self) -> dict[str, Any]:
        """The public description served by the event-type catalogue."""
        return {
            "flow": self.flow,
            "type": self.name,
            "summary": self.summary,
            "payload_schema": self.schema,
            "authority": {
                "roles": sorted(self.authority.roles),
                "actor_fields": list(self.authority.actor_fields),
                "actor_one_of": list(self.authority.actor_one_of),
                "rule": self.authority.describe(),
            },
            "confirmation": None
            if self.confirmation is None
            else {
                "parties": list(self.confirmation.parties),
                "rule": self.confirmation.describe(),
            },
            "example_payload": dict(self.example) or example_for(self.schema),
        }


REQUIRE_PARTY_FIELDS = True
"""While False, party fields named by authority and confirmation rules are optional in the
payload schema (the simulation's payloads are being brought to the rules); once True they
are required. The authority check itself refuses an event whose actor field is missing."""


def _with_party_fields(schema: Schema, names: tuple[str, ...]) -> Schema:
    """The schema with every party field declared (an id) and, when required, required."""
    out = dict(schema)
    props = dict(out.get("properties", {}))
    for name in names:
        props.setdefault(name, {"type": "string", "minLength": 1, "maxLength": 200})
    out["properties"] = props
    if REQUIRE_PARTY_FIELDS:
        out["required"] = sorted({*out.get("required", []), *names})
    return out


def declare(
    flow: str,
    name: str,
    schema: Schema,
    *,
    roles: str | tuple[str, ...] | frozenset[str],
    summary: str,
    actor: tuple[str, ...] | str = (),
    actor_one_of: tuple[str, ...] = (),
    confirm: tuple[str, ...] | str = (),
    example: Mapping[str, Any] | None = None,
) -> EventType:
    """Build an :class:`EventType`; strings stand for one-element tuples."""
    role_set = frozenset((roles,) if isinstance(roles, str) else roles)
    unknown = role_set - set(ROLES)
    if unknown:
        raise ValueError(f"{name}: unknown roles {sorted(unknown)}")
    actor_fields = (actor,) if isinstance(actor, str) else actor
    parties = (confirm,) if isinstance(confirm, str) else confirm
    return EventType(
        flow=flow,
        name=name,
        schema=_with_party_fields(schema, (*actor_fields, *actor_one_of, *parties)),
        authority=Authority(role_set, actor_fields, actor_one_of),
        summary=summary,
        confirmation=Confirmation(parties) if parties else None,
        example=dict(example or {}),
    )


def by_name(types: list[EventType]) -> dict[str, EventType]:
    out: dict[str, EventType] = {}
    for etype in types:
        if etype.name in out:
            raise ValueError(f"event type {etype.name} declared twice")
        out[etype.name] = etype
    return out
