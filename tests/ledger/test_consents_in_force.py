"""The consents a write checks again, many pairs in one query, on SQLite and PostgreSQL.

``consents_in_force`` must name, for each (grantee, subject) pair asked, exactly the consent
``consents_to`` names for that grantee: the first by id among those in force with the scope,
and nothing for a pair not asked, even when its grantee and its subject were each asked
with another.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from ledger.log import Ledger
from ledger.trust.access import consents_in_force, consents_to
from ledger.trust.tables import Consent

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _consents(ledger: Ledger) -> None:
    later, earlier = NOW + timedelta(days=30), NOW - timedelta(days=1)
    rows = [
        ("c-b", "s1", "g1", ["score"], later, None),
        ("c-a", "s1", "g1", ["entries", "score"], later, None),  # the first by id: named
        ("c-0", "s1", "g1", ["score"], later, 7),  # revoked
        ("c-1", "s2", "g1", ["score"], earlier, None),  # expired
        ("c-2", "s2", "g2", ["entries"], later, None),  # another scope
        ("c-3", "s2", "g2", ["score"], later, None),
        ("c-4", "s1", "g2", ["score"], later, None),  # a pair not asked below
    ]
    with ledger.unit_of_work() as uow:
        uow.connection.execute(insert(Consent), [
            {"consent_id": c, "subject": s, "grantee": g, "scope": scope, "expires_at": until,
             "granted_seq": 1, "revoked_seq": revoked}
            for c, s, g, scope, until, revoked in rows
        ])  # fmt: skip
        uow.commit()


def test_each_pair_asked_gets_the_consent_its_grantee_would_be_named(ledger: Ledger) -> None:
    _consents(ledger)
    asked = [("g1", "s1"), ("g1", "s2"), ("g2", "s2"), ("g3", "s1")]
    with ledger.reading() as connection:
        found = consents_in_force(connection, asked, "score", NOW)
        assert found == {("g1", "s1"): "c-a", ("g2", "s2"): "c-3"}
        for grantee, subject in asked:
            named = consents_to(connection, grantee, "score", NOW, subject)
            assert found.get((grantee, subject)) == named.get(subject)
        assert consents_in_force(connection, [], "score", NOW) == {}
        assert consents_in_force(connection, [("g1", "s1")], "reports", NOW) == {}
