"""The fraud score of an application about to be decided, from the ``lending.fraud``
projection: five reads (the registered country, the applicant's counted logins, its
country's usual clock offset, accounts sharing its devices, other lenders applied to within
the velocity window), then the same pure formulas as the streaming scan.

The usual offset is the one most accounts registered in the country logged in with (ties
go to the smaller offset, here as in the scan). The statements are built once with bound
parameters: building them cost more than running them (every automatic decision and every
scored login runs all five).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, distinct, func, select
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

_t, _a = LoginCountRow, ApplicationSeen
_mine, _other = aliased(DeviceSeen), aliased(DeviceSeen)
_COUNTRY = select(Participant.country).where(Participant.id == bindparam("account"))
_LOGINS = select(_t.ip_country, _t.billing_country, _t.utc_offset, _t.proxy, _t.count).where(
    _t.account == bindparam("account")
)
_HOME = (
    select(_t.utc_offset)
    .join(Participant, Participant.id == _t.account)
    .where(Participant.country == bindparam("country"))
    .group_by(_t.utc_offset)
    .order_by(func.count(distinct(_t.account)).desc(), _t.utc_offset)
    .limit(1)
)
_SHARED = (
    select(func.count(distinct(_other.account)))
    .join(_mine, _mine.device == _other.device)
    .where(_mine.account == bindparam("account"), _other.account != bindparam("account"))
)
_LENDERS = select(func.count(distinct(_a.lender))).where(
    _a.applicant == bindparam("account"),
    _a.lender != bindparam("lender"),
    _a.occurred_at >= bindparam("since"),
    _a.occurred_at <= bindparam("at"),
)


def registered_country(connection: Connection, account: str) -> str | None:
    found = connection.execute(_COUNTRY, {"account": account}).scalar_one_or_none()
    return None if found is None else str(found)


def home_offset(connection: Connection, registered: str | None) -> int | None:
    """The clock offset most accounts registered in the country log in with."""
    if registered is None:
        return None
    found = connection.execute(_HOME, {"country": registered}).scalar_one_or_none()
    return None if found is None else int(found)


def shared_accounts(connection: Connection, account: str) -> int:
    """How many other accounts were seen on one of the account's devices."""
    return int(connection.execute(_SHARED, {"account": account}).scalar_one())


def fraud_for(connection: Connection, applicant: str, lender: str, at: datetime,
              weights: FraudWeights = FraudWeights()) -> FraudScore:  # fmt: skip
    registered = registered_country(connection, applicant)
    logins = [LoginCount(i, b, o, bool(x), n)
              for i, b, o, x, n in connection.execute(_LOGINS, {"account": applicant})]  # fmt: skip
    home = home_offset(connection, registered)
    shared = shared_accounts(connection, applicant)
    lenders = connection.execute(_LENDERS, {"account": applicant, "lender": lender,
                                            "since": at - weights.velocity_window,
                                            "at": at}).scalar_one()  # fmt: skip
    return score(strengths(registered, logins, home, shared, int(lenders), weights), weights)
