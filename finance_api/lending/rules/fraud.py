"""Fraud signals from logins and applications, and the fraud score with its reasons.

The platforms' signals: the login's IP country against the account's registered country
and its card's billing country, a device clock on another time zone than the registered
country's usual one (the offset most of its accounts log in with), an anonymous proxy, a
device seen on several accounts, and the velocity of applications across lenders.
:class:`FraudState` takes logins and applications one at a time, in ledger order (one
streaming pass, no query per participant), and scores an application on what was known at
that moment. The fraud score (0-1000 points) is kept
apart from the credit score: it is a knock-out or a referral, applied before credit.

Each signal adds points in proportion to how often it shows (a traveller's odd login is
weak evidence; every login abroad is strong), capped per signal; the reasons are the
signals that added points, largest first. The weights are a setting.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

SIGNALS = (
    "ip_country_mismatch",
    "billing_country_mismatch",
    "timezone_mismatch",
    "proxy",
    "shared_device",
    "application_velocity",
)


@dataclass(frozen=True, slots=True)
class FraudWeights:
    """Points each signal adds at full strength (sum of maxima = 1000), and the windows."""

    ip_country_mismatch: int = 200
    billing_country_mismatch: int = 150
    timezone_mismatch: int = 150
    proxy: int = 100
    shared_device: int = 150
    application_velocity: int = 250
    velocity_window: timedelta = timedelta(hours=24)
    velocity_full: int = 3  # distinct other lenders applied to within the window: full points
    shared_full: int = 3  # other accounts seen on one of the account's devices: full points


@dataclass(frozen=True, slots=True)
class FraudScore:
    points: int
    reasons: tuple[str, ...]
    signals: Mapping[str, int]


@dataclass(slots=True)
class _Account:
    logins: int = 0
    ip_abroad: int = 0
    ip_not_billing: int = 0
    billing_abroad: int = 0
    proxy: int = 0
    offsets: Counter[int] = field(default_factory=Counter)
    devices: set[str] = field(default_factory=set)
    applications: deque[tuple[datetime, str]] = field(default_factory=deque)


class FraudState:
    """Signals accumulated over the ledger's logins and applications, in ledger order."""

    def __init__(self, countries: Mapping[str, str | None],
                 weights: FraudWeights = FraudWeights()) -> None:  # fmt: skip
        self.countries = countries  # participant -> registered country
        self.weights = weights
        self.accounts: dict[str, _Account] = {}
        self.device_accounts: dict[str, set[str]] = {}
        self.usual_offsets: dict[str, Counter[int]] = {}  # country -> accounts per offset

    def _account(self, account: str) -> _Account:
        found = self.accounts.get(account)
        if found is None:
            found = self.accounts[account] = _Account()
        return found

    def login(self, payload: Mapping[str, Any]) -> None:
        account = str(payload["account"])
        state = self._account(account)
        registered = self.countries.get(account)
        ip, billing = payload["ip_country"], payload["billing_country"]
        state.logins += 1
        state.ip_abroad += registered is not None and ip != registered
        state.ip_not_billing += ip != billing
        state.billing_abroad += registered is not None and billing != registered
        state.proxy += bool(payload.get("proxy", False))
        offset = int(payload["utc_offset_minutes"])
        if registered is not None and offset not in state.offsets:  # one vote per account
            self.usual_offsets.setdefault(registered, Counter())[offset] += 1
        state.offsets[offset] += 1
        device = payload.get("device_id")
        if device is not None:
            state.devices.add(str(device))
            self.device_accounts.setdefault(str(device), set()).add(account)

    def application(self, payload: Mapping[str, Any], at: datetime) -> FraudScore:
        """Record an application and score it on what was known before it."""
        applicant = str(payload["applicant"])
        state = self._account(applicant)
        window = self.weights.velocity_window
        while state.applications and state.applications[0][0] < at - window:
            state.applications.popleft()
        lenders = {lender for _, lender in state.applications} - {str(payload["lender"])}
        score = self.score(applicant, len(lenders))
        state.applications.append((at, str(payload["lender"])))
        return score

    def _timezone_share(self, account: str, state: _Account) -> float:
        registered = self.countries.get(account)
        usual = self.usual_offsets.get(registered or "")
        if not usual or not state.logins:
            return 0.0
        home = min(usual.items(), key=lambda kv: (-kv[1], kv[0]))[0]  # most votes, then lowest
        return 1 - state.offsets[home] / state.logins

    def _shared(self, account: str, state: _Account) -> int:
        others = set().union(*(self.device_accounts.get(d, set()) for d in state.devices))
        return len(others - {account})

    def signals(self, account: str, other_lenders: int = 0) -> dict[str, float]:
        """Each signal's strength in [0, 1]."""
        state = self._account(account)
        n = max(1, state.logins)
        w = self.weights
        return {
            "ip_country_mismatch": state.ip_abroad / n,
            "billing_country_mismatch": max(state.billing_abroad, state.ip_not_billing) / n,
            "timezone_mismatch": self._timezone_share(account, state),
            "proxy": state.proxy / n,
            "shared_device": min(1.0, self._shared(account, state) / w.shared_full),
            "application_velocity": min(1.0, other_lenders / w.velocity_full),
        }

    def score(self, account: str, other_lenders: int = 0) -> FraudScore:
        return score(self.signals(account, other_lenders), self.weights)


def score(strengths: Mapping[str, float], weights: FraudWeights = FraudWeights()) -> FraudScore:
    """Points per signal (strength x weight, rounded), their sum, and the reasons."""
    points = {name: round(min(1.0, max(0.0, strengths.get(name, 0.0))) * getattr(weights, name))
              for name in SIGNALS}  # fmt: skip
    reasons = tuple(sorted((n for n, p in points.items() if p > 0), key=lambda n: -points[n]))
    return FraudScore(sum(points.values()), reasons, points)


__all__ = [
    "SIGNALS",
    "FraudScore",
    "FraudState",
    "FraudWeights",
    "LoginCount",
    "score",
    "strengths",
]


@dataclass(frozen=True, slots=True)
class LoginCount:
    """How many of an account's logins showed this combination (the fraud projection's row)."""

    ip_country: str
    billing_country: str
    utc_offset_minutes: int
    proxy: bool
    count: int


def strengths(registered: str | None, logins: Sequence[LoginCount], home_offset: int | None,
              shared_accounts: int, other_lenders: int,
              weights: FraudWeights = FraudWeights()) -> dict[str, float]:  # fmt: skip
    """The signals of :meth:`FraudState.signals`, from counted logins (the same formulas)."""
    n = sum(c.count for c in logins)
    if n == 0:
        abroad = billing = not_billing = proxy = timezone = 0.0
    else:
        abroad = sum(c.count for c in logins if registered and c.ip_country != registered) / n
        billing = sum(c.count for c in logins
                      if registered and c.billing_country != registered) / n  # fmt: skip
        not_billing = sum(c.count for c in logins if c.ip_country != c.billing_country) / n
        proxy = sum(c.count for c in logins if c.proxy) / n
        home = sum(c.count for c in logins if c.utc_offset_minutes == home_offset)
        timezone = 0.0 if home_offset is None else 1 - home / n
    return {
        "ip_country_mismatch": abroad,
        "billing_country_mismatch": max(billing, not_billing),
        "timezone_mismatch": timezone,
        "proxy": proxy,
        "shared_device": min(1.0, shared_accounts / weights.shared_full),
        "application_velocity": min(1.0, other_lenders / weights.velocity_full),
    }
