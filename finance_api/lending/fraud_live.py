"""The fraud score of an application about to be decided, from the ``lending.fraud``
projection: five reads (the registered country, the applicant's counted logins, its
country's usual clock offset, accounts sharing its devices, other lenders applied to within
the velocity window), then the same pure formulas as the streaming scan.

The usual offset is the one most accounts registered in the country logged in with (ties
go to the smaller offset, here as in the scan).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, distinct, func, select
from sqlalchemy.orm import aliased

from finance_api.lending.fraud_tables import ApplicationSeen, DeviceSeen, LoginCountRow
from finance_api.lending.rules.fraud import (
    FraudScore,
    FraudWeights,
    LoginCount,
    score,
    strengths,
)
from ledger.storage.models import Participant


def registered_country(connection: Connection, account: str) -> str | None:
    return connection.execute(
        select(Participant.country).where(Participant.id == account)
    ).scalar_one_or_none()


def home_offset(connection: Connection, registered: str | None) -> int | None:
    """The clock offset most accounts registered in the country log in with."""
    if registered is None:
        return None
    t = LoginCountRow
    votes = func.count(distinct(t.account))
    found = connection.execute(
        select(t.utc_offset).join(Participant, Participant.id == t.account)
        .where(Participant.country == registered)
        .group_by(t.utc_offset).order_by(votes.desc(), t.utc_offset).limit(1)
    ).scalar_one_or_none()  # fmt: skip
    return None if found is None else int(found)


def shared_accounts(connection: Connection, account: str) -> int:
    """How many other accounts were seen on one of the account's devices."""
    mine, other = aliased(DeviceSeen), aliased(DeviceSeen)
    return int(connection.execute(
        select(func.count(distinct(other.account)))
        .join(mine, mine.device == other.device)
        .where(mine.account == account, other.account != account)
    ).scalar_one())  # fmt: skip


def fraud_for(connection: Connection, applicant: str, lender: str, at: datetime,
              weights: FraudWeights = FraudWeights()) -> FraudScore:  # fmt: skip
    t = LoginCountRow
    registered = registered_country(connection, applicant)
    logins = [LoginCount(i, b, o, bool(x), n) for i, b, o, x, n in connection.execute(
        select(t.ip_country, t.billing_country, t.utc_offset, t.proxy, t.count)
        .where(t.account == applicant)
    )]  # fmt: skip
    home = home_offset(connection, registered)
    shared = shared_accounts(connection, applicant)
    a = ApplicationSeen
    since = at - weights.velocity_window
    lenders = connection.execute(
        select(func.count(distinct(a.lender))).where(
            a.applicant == applicant,
            a.lender != lender,
            a.occurred_at >= since,
            a.occurred_at <= at,
        )
    ).scalar_one()
    return score(strengths(registered, logins, home, int(shared), int(lenders), weights), weights)
