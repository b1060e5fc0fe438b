"""Who may read what, and the record of every read of another party's data by a lender.

Entries are visible to their actor and their subjects, to a grantee (a lender, a supplier)
while the participant an entry concerns (as actor or subject) has a consent in force to it
with the scope asked, and to auditors. Nothing else: what a caller may not see is
answered like what does not exist. Each read a grantee makes through a consent is
recorded (reader, subject, resource, what, when, under which consent), as credit bureaus
must, and the subject can list them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select

from ledger.core.access import Caller
from ledger.core.entry import LedgerEntry
from ledger.trust.tables import AccessRecord, Consent

READ_ALL = frozenset({"auditor"})
SCOPES = ("entries", "score", "reports")


@dataclass(frozen=True, slots=True)
class Visibility:
    """What one caller may read now: everything, or entries naming one of ``refs``.

    ``consents`` maps each participant seen through a consent to that consent's id.
    """

    caller: str
    everything: bool
    refs: frozenset[str]
    consents: dict[str, str] = field(default_factory=dict)

    def allows(self, entry: LedgerEntry) -> bool:
        return self.everything or bool(self.refs.intersection(names_in(entry)))

    def through_consent(self, entry: LedgerEntry) -> list[str]:
        """The subjects whose consent alone makes ``entry`` visible (empty if it is ours)."""
        names = names_in(entry)
        if self.everything or self.caller in names:
            return []
        return sorted(set(self.consents).intersection(names))


def names_in(entry: LedgerEntry) -> set[str]:
    return {entry.event.actor, *entry.event.subjects}


_LIVE = (Consent.revoked_seq.is_(None), Consent.expires_at > bindparam("at"))
_IN_FORCE_WHERE = (Consent.grantee == bindparam("g"), *_LIVE)
# built once: every read of another's data asks which consents are in force
_IN_FORCE = (
    select(Consent.subject, Consent.consent_id, Consent.scope)
    .where(*_IN_FORCE_WHERE)
    .order_by(Consent.consent_id)
)
_IN_FORCE_OF = (
    select(Consent.subject, Consent.consent_id, Consent.scope)
    .where(*_IN_FORCE_WHERE, Consent.subject == bindparam("s"))
    .order_by(Consent.consent_id)
)


def consents_to(
    connection: Connection, grantee: str, scope: str, at: datetime, subject: str | None = None
) -> dict[str, str]:
    """subject -> consent id, for consents to ``grantee`` in force at ``at`` with ``scope``."""
    stmt, params = (_IN_FORCE, {"g": grantee, "at": at}) if subject is None else (
        _IN_FORCE_OF, {"g": grantee, "at": at, "s": subject})  # fmt: skip
    found: dict[str, str] = {}
    for row in connection.execute(stmt, params):
        if scope in row.scope:
            found.setdefault(row.subject, row.consent_id)
    return found


# the grantees and the subjects asked, each an IN list, so both backends seek the
# (grantee, subject) index; the pairs are picked out below. (A row-value ``IN`` of the pairs,
# or an ``ORDER BY consent_id``, made SQLite walk the whole table instead, per write.)
_IN_FORCE_PAIRS = select(Consent.grantee, Consent.subject, Consent.consent_id, Consent.scope).where(
    Consent.grantee.in_(bindparam("grantees", expanding=True)),
    Consent.subject.in_(bindparam("subjects", expanding=True)),
    *_LIVE,
)


def consents_in_force(
    connection: Connection, pairs: Collection[tuple[str, str]], scope: str, at: datetime
) -> dict[tuple[str, str], str]:
    """(grantee, subject) -> consent id, for those of ``pairs`` with a consent in force at
    ``at`` with ``scope`` (the same consent :func:`consents_to` names: the first by id), in
    one query."""
    found: dict[tuple[str, str], str] = {}
    if not pairs:
        return found
    asked = set(pairs)
    params = {
        "grantees": sorted({g for g, _ in asked}), "subjects": sorted({s for _, s in asked}),
        "at": at,
    }  # fmt: skip
    for row in connection.execute(_IN_FORCE_PAIRS, params):
        pair = (row.grantee, row.subject)
        if pair in asked and scope in row.scope:
            known = found.get(pair)
            if known is None or row.consent_id < known:
                found[pair] = row.consent_id
    return found


def visibility(connection: Connection, caller: Caller, at: datetime) -> Visibility:
    if caller.roles & READ_ALL:
        return Visibility(caller.participant_id, True, frozenset())
    consents = consents_to(connection, caller.participant_id, "entries", at)
    return Visibility(
        caller.participant_id, False, frozenset({caller.participant_id, *consents}), consents
    )


def record_reads(
    connection: Connection,
    visibility: Visibility,
    entries: Iterable[LedgerEntry],
    resource: str,
    at: datetime,
) -> int:
    """Record, per subject, the reads of its data that only its consent allowed."""
    seen: dict[str, list[int]] = {}
    for entry in entries:
        for subject in visibility.through_consent(entry):
            seen.setdefault(subject, []).append(entry.seq)
    rows = [
        {
            "reader": visibility.caller,
            "subject": subject,
            "resource": resource,
            "detail": _detail(seqs),
            "consent_id": visibility.consents[subject],
            "at": at,
        }
        for subject, seqs in sorted(seen.items())
    ]
    if rows:
        connection.execute(insert(AccessRecord), rows)
    return len(rows)


# built once: a group commit of recorded scores inserts its access-log rows in one call
_NEW_READ = insert(AccessRecord).values(
    reader=bindparam("r_reader"), subject=bindparam("r_subject"),
    resource=bindparam("r_resource"), detail=bindparam("r_detail"),
    consent_id=bindparam("r_consent"), at=bindparam("r_at"),
)  # fmt: skip


def record_read_rows(
    connection: Connection,
    rows: Sequence[tuple[str, str, str, str, str | None, datetime]],
) -> None:
    """Many reads at once, each ``(reader, subject, resource, detail, consent_id, at)``
    as :func:`record_read` takes them: one statement, built once, for the whole batch."""
    if rows:
        connection.execute(_NEW_READ, [
            {"r_reader": reader, "r_subject": subject, "r_resource": resource,
             "r_detail": detail[:1000], "r_consent": consent_id, "r_at": at}
            for reader, subject, resource, detail, consent_id, at in rows
        ])  # fmt: skip


def record_read(
    connection: Connection,
    reader: str,
    subject: str,
    resource: str,
    detail: str,
    consent_id: str | None,
    at: datetime,
) -> None:
    record_read_rows(connection, [(reader, subject, resource, detail, consent_id, at)])


def _detail(seqs: list[int]) -> str:
    text = "entries " + ",".join(str(s) for s in seqs)
    return text if len(text) <= 1000 else text[:990] + ",…"
