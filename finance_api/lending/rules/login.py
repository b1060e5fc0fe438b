"""The fraud signals one login shows, as the platform observed it.

The account's fraud score (:mod:`.fraud`) weighs how often its logins show each signal; a
single login's own signals tell the platform, at that moment, why this login looked odd:
an IP country other than the registered one, a card billed elsewhere than the IP or the
registration, a device clock off the registered country's usual offset, an anonymous
proxy, a device other accounts log in from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def login_signals(payload: Mapping[str, Any], registered: str | None, home_offset: int | None,
                  shared_accounts: int) -> list[str]:  # fmt: skip
    ip, billing = str(payload["ip_country"]), str(payload["billing_country"])
    signals = []
    if registered is not None and ip != registered:
        signals.append("ip_country_mismatch")
    if ip != billing or (registered is not None and billing != registered):
        signals.append("billing_country_mismatch")
    if home_offset is not None and int(payload["utc_offset_minutes"]) != home_offset:
        signals.append("timezone_mismatch")
    if payload.get("proxy"):
        signals.append("proxy")
    if shared_accounts > 0:
        signals.append("shared_device")
    return signals
