"""The event-type catalogue: every type documented, every example valid, every rule stated."""

from __future__ import annotations

import pytest

from ledger.core.event_types import REGISTRY

CATALOGUE = REGISTRY.catalogue()


@pytest.mark.parametrize("entry", CATALOGUE, ids=[e["type"] + "@" + e["flow"] for e in CATALOGUE])
def test_every_type_has_a_valid_example_and_its_rules(entry: dict[str, object]) -> None:
    REGISTRY.validate(str(entry["flow"]), str(entry["type"]), entry["example_payload"])
    authority = entry["authority"]
    assert isinstance(authority, dict)
    assert authority["roles"], entry["type"]
    assert "actor has role" in str(authority["rule"])
    assert entry["summary"]


def test_the_claims_that_need_confirmation() -> None:
    needing = {e["type"] for e in CATALOGUE if e["confirmation"] is not None}
    assert {"invoice.issued", "payment.made", "shipment.delivered", "goods.received",
            "loan.disbursed", "receipt.pledged"} <= needing  # fmt: skip
