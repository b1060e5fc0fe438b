"""Counterparty confirmation as a projection: claims, their bound parties, their answers.

A claim is an entry of a type declaring a confirmation rule (an invoice binds its buyer, a
payment its payee, a delivery its consignee...). Each bound party answers once, with a
``claim.confirmed`` or ``claim.rejected`` entry of its own that names the claim's event id,
in the claim's flow. The claim is ``confirmed`` when every party confirmed, ``rejected`` as
soon as one rejected, ``pending`` until then. An answer to a claim that is not on the ledger,
that does not bind the answering party, or that was answered already, is refused — and the
append with it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, insert, select, update

from ledger.core.entry import LedgerEntry
from ledger.core.errors import Conflict, InvalidEvent, NotFound
from ledger.core.event_types import REGISTRY, bound_parties
from ledger.trust.tables import Claim, ClaimParty

ANSWERS = {"claim.confirmed": "confirmed", "claim.rejected": "rejected"}
CLAIM_TYPES = frozenset(
    entry["type"] for entry in REGISTRY.catalogue() if entry["confirmation"] is not None
)


class ClaimsProjector:
    name = "trust.claims"
    version = 1
    order = 10
    event_types = CLAIM_TYPES | frozenset(ANSWERS)
    tables = (Claim.__table__, ClaimParty.__table__)

    def apply(self, connection: Connection, entries: Sequence[LedgerEntry]) -> None:
        for entry in entries:
            if entry.event.type in ANSWERS:
                self._answer(connection, entry)
            else:
                self._claim(connection, entry)

    def _claim(self, connection: Connection, entry: LedgerEntry) -> None:
        event = entry.event
        etype = REGISTRY.event_type(event.flow, event.type)
        parties = bound_parties(etype, event.actor, event.payload)
        connection.execute(
            insert(Claim).values(
                seq=entry.seq,
                event_id=event.id,
                flow=event.flow,
                type=event.type,
                actor=event.actor,
                status="pending" if parties else "confirmed",
            )
        )
        if parties:
            connection.execute(
                insert(ClaimParty),
                [
                    {"claim_seq": entry.seq, "party": p, "status": "pending", "answered_seq": None}
                    for p in parties
                ],
            )

    def _answer(self, connection: Connection, entry: LedgerEntry) -> None:
        event = entry.event
        claim_id = str(event.payload["claim_id"])
        claim = connection.execute(
            select(Claim.seq, Claim.flow, Claim.status).where(Claim.event_id == claim_id)
        ).first()
        if claim is None:
            raise NotFound(
                f"no claim {claim_id} awaits confirmation on the ledger",
                field="payload.claim_id",
                seq=entry.seq,
            )
        if claim.flow != event.flow:
            raise InvalidEvent(
                f"the claim is in the {claim.flow} flow; answer it there", field="flow"
            )
        party = connection.execute(
            select(ClaimParty.status).where(
                ClaimParty.claim_seq == claim.seq, ClaimParty.party == event.actor
            )
        ).first()
        if party is None:
            raise InvalidEvent(
                f"claim {claim_id} does not bind {event.actor}", field="payload.claim_id"
            )
        if party.status != "pending":
            raise Conflict(
                f"{event.actor} has {party.status} claim {claim_id} already",
                field="payload.claim_id",
            )
        answer = ANSWERS[event.type]
        connection.execute(
            update(ClaimParty)
            .where(ClaimParty.claim_seq == claim.seq, ClaimParty.party == event.actor)
            .values(status=answer, answered_seq=entry.seq)
        )
        statuses = set(
            connection.execute(
                select(ClaimParty.status).where(ClaimParty.claim_seq == claim.seq)
            ).scalars()
        )
        overall = (
            "rejected" if "rejected" in statuses else "confirmed" if statuses == {"confirmed"}
            else "pending"
        )  # fmt: skip
        if overall != claim.status:
            connection.execute(update(Claim).where(Claim.seq == claim.seq).values(status=overall))


PROJECTOR = ClaimsProjector()


def confirmations(connection: Connection, seqs: Sequence[int]) -> dict[int, dict[str, object]]:
    """The confirmation state of the claims among ``seqs`` (others need none)."""
    found: dict[int, dict[str, object]] = {}
    wanted = sorted(set(seqs))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for seq, status in connection.execute(
            select(Claim.seq, Claim.status).where(Claim.seq.in_(chunk))
        ):
            found[seq] = {"status": status, "parties": {}}
        for seq, party, answer in connection.execute(
            select(ClaimParty.claim_seq, ClaimParty.party, ClaimParty.status).where(
                ClaimParty.claim_seq.in_(chunk)
            )
        ):
            parties = found[seq]["parties"]
            assert isinstance(parties, dict)
            parties[party] = answer
    return found
