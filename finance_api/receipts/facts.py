"""Reading an entry's payload into the values the rules need (money, quantities, dates).

Every malformed value is refused with the payload field it came from, before anything is
written; the schema has already checked types, so these are the finance checks on top.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from finance_api.domain.errors import CurrencyMismatch, InvalidAmount
from finance_api.domain.quantities import to_milli
from ledger.core.entry import LedgerEntry


def payload(entry: LedgerEntry) -> Mapping[str, Any]:
    return entry.event.payload


def text(entry: LedgerEntry, key: str) -> str:
    return str(entry.event.payload[key])


def optional(entry: LedgerEntry, key: str) -> str | None:
    value = entry.event.payload.get(key)
    return None if value is None else str(value)


def money(entry: LedgerEntry, key: str, currency: str | None = None) -> tuple[int, str]:
    """``(amount_minor, currency)`` of a money field, in ``currency`` when one is given."""
    value = entry.event.payload[key]
    amount, code = int(value["amount_minor"]), str(value["currency"])
    if currency is not None and code != currency:
        raise CurrencyMismatch(
            f"the loan is in {currency}, this amount in {code}", field=f"payload.{key}.currency"
        )
    return amount, code


def positive(entry: LedgerEntry, key: str, currency: str | None = None) -> int:
    amount, _ = money(entry, key, currency)
    if amount <= 0:
        raise InvalidAmount("the amount must be positive", field=f"payload.{key}.amount_minor")
    return amount


def quantity(entry: LedgerEntry, key: str = "quantity") -> int:
    return to_milli(entry.event.payload[key], field=f"payload.{key}")


def day(entry: LedgerEntry) -> date:
    """The date the event says it occurred (UTC)."""
    return entry.event.occurred_at.date()


def parse_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidAmount(f"{value!r} is not a date", field=field) from None
