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


def fraud_for(connection: Connection, applicant: str, lender: str, at: datetime,
              weights: FraudWeights = FraudWeights()) -> FraudScore:  # fmt: skip
    t = LoginCountRow
    registered = connection.execute(
        select(Participant.country).where(Participant.id == applicant)
    ).scalar_one_or_none()
    logins = [LoginCount(i, b, o, bool(x), n) for i, b, o, x, n in connection.execute(
        select(t.ip_country, t.billing_country, t.utc_offset, t.proxy, t.count)
        .where(t.account == applicant)
    )]  # fmt: skip
    home = None
    if registered is not None:
        votes = func.count(distinct(t.account))
        home = connection.execute(
            select(t.utc_offset).join(Participant, Participant.id == t.account)
            .where(Participant.country == registered)
            .group_by(t.utc_offset).order_by(votes.desc(), t.utc_offset).limit(1)
        ).scalar_one_or_none()  # fmt: skip
    mine, other = aliased(DeviceSeen), aliased(DeviceSeen)
    shared = connection.execute(
        select(func.count(distinct(other.account)))
        .join(mine, mine.device == other.device)
        .where(mine.account == applicant, other.account != applicant)
    ).scalar_one()  # fmt: skip
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
