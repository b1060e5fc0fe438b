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
from typing import cast

from sqlalchemy import Connection, Table, bindparam, select, update

from ledger.core.entry import LedgerEntry
from ledger.core.errors import Conflict, InvalidEvent, NotFound
from ledger.core.event_types import REGISTRY, bound_parties
from ledger.storage.table_writer import TableWriter
from ledger.trust.tables import Claim, ClaimParty

ANSWERS = {"claim.confirmed": "confirmed", "claim.rejected": "rejected"}
CLAIM_TYPES = frozenset(
    entry["type"] for entry in REGISTRY.catalogue() if entry["confirmation"] is not None
)


class ClaimsProjector:
    """Batched: one insert of claims, one of parties, one read of the claims answered."""

    name = "trust.claims"
    version = 1
    order = 10
    event_types = CLAIM_TYPES | frozenset(ANSWERS)
    tables = (Claim.__table__, ClaimParty.__table__)

    def apply(self, connection: Connection, entries: Sequence[LedgerEntry]) -> None:
        claims: dict[str, _Claim] = {}  # event id -> claim, made in this batch or read
        new_claims: list[_Claim] = []
        answers = [e for e in entries if e.event.type in ANSWERS]
        wanted = {str(e.event.payload["claim_id"]) for e in answers}
        for entry in entries:
            if entry.event.type not in ANSWERS:
                wanted.discard(entry.event.id)
        claims.update(_read_claims(connection, wanted))
        touched: set[str] = set()
        for entry in entries:
            event = entry.event
            if event.type not in ANSWERS:
                etype = REGISTRY.event_type(event.flow, event.type)
                parties = bound_parties(etype, event.actor, event.payload)
                claim = _Claim(entry.seq, event.flow, {p: ["pending", None] for p in parties})
                claim.status = claim.overall()
                claims[event.id] = claim
                new_claims.append(claim)
                claim.row = {
                    "seq": entry.seq,
                    "event_id": event.id,
                    "flow": event.flow,
                    "type": event.type,
                    "actor": event.actor,
                    "status": claim.status,
                }
                continue
            claim_id = str(event.payload["claim_id"])
            _answer(claims.get(claim_id), claim_id, entry)
            touched.add(claim_id)
        _write(connection, new_claims, [claims[c] for c in touched if claims[c] not in new_claims])


class _Claim:
    __slots__ = ("answered", "flow", "parties", "row", "seq", "status", "stored")

    def __init__(self, seq: int, flow: str, parties: dict[str, list[object]]) -> None:
        self.seq = seq
        self.flow = flow
        self.parties = parties  # party -> [status, answered_seq]
        self.status = "pending"
        self.stored = self.status
        self.row: dict[str, object] = {}
        self.answered: list[str] = []

    def overall(self) -> str:
        statuses = {state[0] for state in self.parties.values()}
        if "rejected" in statuses:
            return "rejected"
        return "confirmed" if statuses <= {"confirmed"} else "pending"


def _read_claims(connection: Connection, event_ids: set[str]) -> dict[str, _Claim]:
    found: dict[str, _Claim] = {}
    ids = sorted(event_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        by_seq: dict[int, _Claim] = {}
        for seq, event_id, flow, status in connection.execute(
            select(Claim.seq, Claim.event_id, Claim.flow, Claim.status).where(
                Claim.event_id.in_(chunk)
            )
        ):
            claim = _Claim(seq, flow, {})
            claim.status = claim.stored = status
            found[event_id] = by_seq[seq] = claim
        if by_seq:
            for seq, party, status, answered in connection.execute(
                select(
                    ClaimParty.claim_seq, ClaimParty.party, ClaimParty.status,
                    ClaimParty.answered_seq,
                ).where(ClaimParty.claim_seq.in_(list(by_seq)))
            ):  # fmt: skip
                by_seq[seq].parties[party] = [status, answered]
    return found


def _answer(claim: _Claim | None, claim_id: str, entry: LedgerEntry) -> None:
    event = entry.event
    if claim is None:
        raise NotFound(
            f"no claim {claim_id} awaits confirmation on the ledger",
            field="payload.claim_id",
            seq=entry.seq,
        )
    if claim.flow != event.flow:
        raise InvalidEvent(f"the claim is in the {claim.flow} flow; answer it there", field="flow")
    state = claim.parties.get(event.actor)
    if state is None:
        raise InvalidEvent(
            f"claim {claim_id} does not bind {event.actor}", field="payload.claim_id"
        )
    if state[0] != "pending":
        raise Conflict(
            f"{event.actor} has {state[0]} claim {claim_id} already", field="payload.claim_id"
        )
    state[0], state[1] = ANSWERS[event.type], entry.seq
    claim.answered.append(event.actor)
    claim.status = claim.overall()


_CLAIM_COLUMNS = ("seq", "event_id", "flow", "type", "actor")
_PARTY_COLUMNS = ("claim_seq", "party", "status", "answered_seq")


def _write(connection: Connection, new: list[_Claim], answered: list[_Claim]) -> None:
    if new:
        # as tuples through one COPY per table on PostgreSQL: a batch of 500 demo events
        # makes about 300 claims and as many parties
        dialect = connection.dialect
        claims = TableWriter.of(dialect, cast(Table, Claim.__table__), (*_CLAIM_COLUMNS, "status"))
        claims.write(connection, [(*(c.row[k] for k in _CLAIM_COLUMNS), c.status) for c in new])
        parties = TableWriter.of(dialect, cast(Table, ClaimParty.__table__), _PARTY_COLUMNS)
        parties.write(
            connection, [(c.seq, p, s[0], s[1]) for c in new for p, s in c.parties.items()]
        )
    updates = [
        {"s": c.seq, "p": p, "status": c.parties[p][0], "answered": c.parties[p][1]}
        for c in answered
        for p in c.answered
    ]
    if updates:
        connection.execute(
            update(ClaimParty)
            .where(ClaimParty.claim_seq == bindparam("s"), ClaimParty.party == bindparam("p"))
            .values(status=bindparam("status"), answered_seq=bindparam("answered")),
            updates,
        )
    moved = [{"s": c.seq, "new": c.status} for c in answered if c.status != c.stored]
    if moved:
        connection.execute(
            update(Claim).where(Claim.seq == bindparam("s")).values(status=bindparam("new")),
            moved,
        )


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
