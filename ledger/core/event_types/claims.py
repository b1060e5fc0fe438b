"""Confirmations: the counterparty's signed answer to a claim that binds it.

``claim.confirmed`` and ``claim.rejected`` exist in every flow (a confirmation lives in the
flow of the claim it answers) and reference the claim by its event id. Which claims need
one, and from whom, is declared on the claim's own type (:class:`~.spec.Confirmation`).
"""

from __future__ import annotations

from ledger.core.event_types.common import ID, UUID, obj
from ledger.core.event_types.spec import PARTICIPANT_ROLES, EventType, declare


def claim_types(flow: str) -> list[EventType]:
    return [
        declare(
            flow,
            "claim.confirmed",
            obj({"claim_id": UUID, "party": ID}, {"note": {"type": "string", "maxLength": 500}}),
            roles=PARTICIPANT_ROLES,
            actor="party",
            summary="A party bound by a claim confirms it (references the claim's event id).",
            example={"claim_id": "00000000-0000-4000-8000-000000000001", "party": "buyer-1"},
        ),
        declare(
            flow,
            "claim.rejected",
            obj({"claim_id": UUID, "party": ID}, {"reason": {"type": "string", "maxLength": 500}}),
            roles=PARTICIPANT_ROLES,
            actor="party",
            summary="A party named by a claim rejects it; the claim stays unconfirmed.",
            example={
                "claim_id": "00000000-0000-4000-8000-000000000001",
                "party": "buyer-1",
                "reason": "never received",
            },
        ),
    ]
