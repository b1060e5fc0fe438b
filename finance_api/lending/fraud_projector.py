"""The ``lending.fraud`` projection of ``account.login`` and ``credit.application`` entries.

Logins are counted by (account, IP country, billing country, clock offset, proxy); each
(device, account) pair is kept once; each application is kept with its lender and time.
Batched: counts are summed in memory, then one read of the combinations already stored,
inserts and an executemany of updates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from finance_api.lending.fraud_tables import ApplicationSeen, DeviceSeen, LoginCountRow
from finance_api.lending.keyed import Keyed
from ledger.core.entry import LedgerEntry

Key = tuple[str, str, str, int, bool]
_KEY = ("account", "ip_country", "billing_country", "utc_offset", "proxy")
_DEVICES = Keyed(
    select(DeviceSeen.device, DeviceSeen.account), (DeviceSeen.device, DeviceSeen.account)
)
_LOGIN = (LoginCountRow.account, LoginCountRow.ip_country, LoginCountRow.billing_country,
          LoginCountRow.utc_offset, LoginCountRow.proxy)  # fmt: skip
_COUNTS = Keyed(select(*_LOGIN, LoginCountRow.count), _LOGIN)


class FraudProjector:
    name = "lending.fraud"
    version = 1
    order = 45
    event_types = frozenset({"account.login", "credit.application"})
    tables = (LoginCountRow.__table__, DeviceSeen.__table__, ApplicationSeen.__table__)

    def apply(self, connection: Connection, entries: Sequence[LedgerEntry]) -> None:
        counts: Counter[Key] = Counter()
        devices: set[tuple[str, str]] = set()
        applications: list[dict[str, Any]] = []
        for entry in entries:
            p = entry.event.payload
            if entry.event.type == "credit.application":
                applications.append({"seq": entry.seq, "applicant": str(p["applicant"]),
                                     "lender": str(p["lender"]),
                                     "occurred_at": entry.event.occurred_at})  # fmt: skip
                continue
            account = str(p["account"])
            counts[(account, str(p["ip_country"]), str(p["billing_country"]),
                    int(p["utc_offset_minutes"]), bool(p.get("proxy", False)))] += 1  # fmt: skip
            if p.get("device_id") is not None:
                devices.add((str(p["device_id"]), account))
        if counts:
            _add_counts(connection, counts)
        if devices:
            known = {(str(d), str(a)) for d, a in _DEVICES.rows(connection, devices)}
            new = [{"device": d, "account": a} for d, a in sorted(devices - known)]
            if new:
                connection.execute(insert(DeviceSeen), new)
        if applications:
            connection.execute(insert(ApplicationSeen), applications)


def _add_counts(connection: Connection, counts: Counter[Key]) -> None:
    t = LoginCountRow
    stored: dict[Key, int] = {
        (a, i, b, o, bool(x)): n for a, i, b, o, x, n in _COUNTS.rows(connection, counts)
    }
    new = [{**dict(zip(_KEY, k, strict=True)), "count": n}
           for k, n in counts.items() if k not in stored]  # fmt: skip
    old = [{**{f"b_{name}": v for name, v in zip(_KEY, k, strict=True)}, "count": stored[k] + n}
           for k, n in counts.items() if k in stored]  # fmt: skip
    if new:
        connection.execute(insert(t), new)
    if old:
        connection.execute(
            update(t).where(*(getattr(t, name) == bindparam(f"b_{name}") for name in _KEY)),
            old,
        )


PROJECTOR = FraudProjector()
