"""Trace a built supply chain backward and forward; proofs verify offline; tampering is caught."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ledger.traceability import samples as s
from ledger.traceability.cli import trace_app
from ledger.traceability.epcis.digital_link import canonical_id_or_self
from ledger.traceability.errors import TraceVerificationFailed
from ledger.traceability.proving import statement_bytes
from ledger.verification.trace import verify_trace
from tests.traceability.conftest import (
    LEDGER_KEY,
    LOT,
    PO,
    PRODUCT,
    SO,
    SSCC,
    STORE,
    UNITS,
    World,
    at,
    capture_json,
    order_placed,
    supply_chain,
)


def _built(world: World) -> list[int]:
    world.ledger.append(order_placed(world.buyer_key))
    events = capture_json(world, supply_chain())["events"]
    assert isinstance(events, list)
    return [e["seq"] for e in events]


def _trace(world: World, item: str, **params: str) -> dict[str, Any]:
    response = world.client.get(f"/v1/trace/{item}", params=params, headers=world.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_backward_trace_of_the_end_product_reaches_every_step(world: World) -> None:
    seqs = _built(world)
    trace = _trace(world, PRODUCT)
    assert [e["seq"] for e in trace["events"]] == seqs  # time order = capture order here
    assert {canonical_id_or_self(i) for i in (*UNITS, SSCC, LOT, PRODUCT)} == set(trace["items"])
    kinds = {(link["kind"], link["seq"]) for link in trace["links"]}
    assert ("aggregation", seqs[1]) in kinds
    assert ("transformation", seqs[4]) in kinds
    bts = {bt["id"]: bt["entries"] for bt in trace["business_transactions"]}
    assert set(bts) == {PO, SO}
    order = [e for e in trace["entries"] if e["seq"] in bts[SO]]
    assert [e["event"]["type"] for e in order] == ["order.placed"]
    report = verify_trace(trace, LEDGER_KEY.public_key)
    assert report.events == 6
    assert report.links == len(trace["links"])


def test_forward_trace_of_a_raw_unit_reaches_the_product_not_its_siblings(world: World) -> None:
    seqs = _built(world)
    trace = _trace(world, UNITS[0], direction="forward")
    items = set(trace["items"])
    assert canonical_id_or_self(PRODUCT) in items
    assert canonical_id_or_self(SSCC) in items
    assert canonical_id_or_self(UNITS[1]) not in items  # up into the case, never down again
    assert canonical_id_or_self(LOT) not in items
    assert seqs[5] in [e["seq"] for e in trace["events"]]
    verify_trace(trace, LEDGER_KEY.public_key)


def test_time_window_limits_events_not_the_links_followed(world: World) -> None:
    seqs = _built(world)
    trace = _trace(world, PRODUCT, since="2026-01-05T11:30:00Z")
    assert [e["seq"] for e in trace["events"]] == seqs[4:]
    assert canonical_id_or_self(SSCC) in trace["items"]  # packed before since, still reached
    verify_trace(trace, LEDGER_KEY.public_key)
    bad = world.client.get(
        f"/v1/trace/{PRODUCT}", params={"direction": "sideways"}, headers=world.headers
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "direction"


def test_one_checkpoint_is_cut_only_when_the_latest_does_not_cover(world: World) -> None:
    _built(world)
    first = _trace(world, PRODUCT)
    assert int(first["checkpoint"].split("\n")[1]) == world.ledger.size()
    assert _trace(world, PRODUCT)["checkpoint"] == first["checkpoint"]  # reused, not recut
    late = s.object_event(at(6), [PRODUCT], biz_step="receiving", biz_location=STORE)
    capture_json(world, [late])
    second = _trace(world, PRODUCT)
    assert int(second["checkpoint"].split("\n")[1]) == world.ledger.size()
    verify_trace(second, LEDGER_KEY.public_key)


def _mutations() -> list[tuple[str, Any]]:
    def payload(doc: dict[str, Any]) -> None:
        first = next(e for e in doc["entries"] if e["event"]["type"] == "epcis.captured")
        first["event"]["payload"]["epcis"]["bizStep"] = "destroying"

    def path(doc: dict[str, Any]) -> None:
        doc["entries"][1]["audit_path"] = doc["entries"][1]["audit_path"][:-1]

    def listed_hash(doc: dict[str, Any]) -> None:
        doc["events"][0]["hash_id"] = doc["events"][1]["hash_id"]

    def link(doc: dict[str, Any]) -> None:
        doc["links"].append({**doc["links"][0], "to": "https://id.gs1.org/00/000000000000000000"})

    def checkpoint(doc: dict[str, Any]) -> None:
        doc["checkpoint"] = doc["checkpoint"].replace("\n", "\n ", 1)

    def keys(doc: dict[str, Any]) -> None:
        doc["keys"] = []

    def voided(doc: dict[str, Any]) -> None:
        doc["voided"].append({**doc["events"][0], "declared_by": doc["events"][1]["seq"]})

    return [
        ("payload", payload),
        ("truncated-path", path),
        ("listed-hash", listed_hash),
        ("invented-link", link),
        ("checkpoint", checkpoint),
        ("no-keys", keys),
        ("invented-void", voided),
    ]


def test_forward_window_after_the_packing_keeps_the_case_s_later_receiving(world: World) -> None:
    seqs = _built(world)
    trace = _trace(world, UNITS[0], direction="forward", since=at(1.5).isoformat())
    listed = [e["seq"] for e in trace["events"]]
    assert seqs[2] in listed
    assert seqs[3] in listed
    assert seqs[1] not in listed  # the packing itself is before the window
    assert any(link["seq"] == seqs[1] for link in trace["links"])  # but its link is followed
    verify_trace(trace, LEDGER_KEY.public_key)


def _resigned(doc: dict[str, Any]) -> dict[str, Any]:
    """What a forger holding the ledger key could sign: the recomputation must still catch it."""
    doc["statement"] = LEDGER_KEY.sign(statement_bytes(doc)).hex()
    return doc


def _answer_mutations() -> list[tuple[str, Any]]:
    def relabel(doc: dict[str, Any]) -> None:
        grai = "urn:epc:id:grai:0614141.12345.400"
        doc["query"]["id"] = grai
        doc["query"]["canonical_id"] = canonical_id_or_self(grai)

    def direction(doc: dict[str, Any]) -> None:
        doc["query"]["direction"] = "forward"

    def window(doc: dict[str, Any]) -> None:
        doc["query"]["since"] = "2026-01-05T11:30:00.000000Z"

    def event_time(doc: dict[str, Any]) -> None:
        doc["events"][0]["event_time"] = "2025-01-01T00:00:00.000000Z"

    def event_type(doc: dict[str, Any]) -> None:
        doc["events"][2]["event_type"] = "TransformationEvent"

    def biz_step(doc: dict[str, Any]) -> None:
        doc["events"][2]["biz_step"] = "https://ref.gs1.org/cbv/BizStep-receiving"

    def dropped_event(doc: dict[str, Any]) -> None:
        del doc["events"][3]

    def dropped_item(doc: dict[str, Any]) -> None:
        doc["items"].pop()

    def as_of(doc: dict[str, Any]) -> None:
        doc["as_of"] = 1

    return [
        ("relabelled", relabel),
        ("direction", direction),
        ("window", window),
        ("event-time", event_time),
        ("event-type", event_type),
        ("biz-step", biz_step),
        ("dropped-event", dropped_event),
        ("dropped-item", dropped_item),
        ("as-of", as_of),
    ]


@pytest.mark.parametrize(("name", "mutate"), _answer_mutations())
def test_an_edited_or_relabelled_answer_fails_signed_or_resigned(
    world: World, name: str, mutate: Any
) -> None:
    _built(world)
    trace = _trace(world, PRODUCT)
    bad = copy.deepcopy(trace)
    mutate(bad)
    with pytest.raises(TraceVerificationFailed, match="sign"):
        verify_trace(bad, LEDGER_KEY.public_key)
    with pytest.raises(TraceVerificationFailed):
        verify_trace(_resigned(bad), LEDGER_KEY.public_key)


@pytest.mark.parametrize(("name", "mutate"), _mutations())
def test_tampering_with_a_trace_is_detected(world: World, name: str, mutate: Any) -> None:
    _built(world)
    trace = _trace(world, PRODUCT)
    verify_trace(trace, LEDGER_KEY.public_key)
    bad = copy.deepcopy(trace)
    mutate(bad)
    with pytest.raises(TraceVerificationFailed):
        verify_trace(bad, LEDGER_KEY.public_key)


def test_a_trace_does_not_verify_under_another_key(world: World) -> None:
    _built(world)
    with pytest.raises(TraceVerificationFailed):
        verify_trace(_trace(world, PRODUCT), bytes(32))


def test_cli_trace_then_verify_trace_offline(world: World, tmp_path: Path) -> None:
    _built(world)
    url = str(world.ledger.engines.write.url)
    runner = CliRunner()
    out = tmp_path / "trace.json"
    key_file = tmp_path / "ledger.key"
    key_file.write_text(LEDGER_KEY.seed.hex() + "\n")
    result = runner.invoke(
        trace_app, ["trace", PRODUCT, "--db", url, "--key-file", str(key_file), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    key = LEDGER_KEY.public_key.hex()
    ok = runner.invoke(trace_app, ["verify-trace", str(out), "--key", key])
    assert ok.exit_code == 0, ok.output
    doc = json.loads(out.read_text())
    doc["entries"][2]["event"]["occurred_at"] = at(99).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    out.write_text(json.dumps(doc))
    bad = runner.invoke(trace_app, ["verify-trace", str(out), "--key", key])
    assert bad.exit_code == 1


def test_completeness_is_checked_against_a_copy_of_the_ledger(world: World, tmp_path: Path) -> None:
    seqs = _built(world)
    url = world.ledger.engines.write.url.render_as_string(hide_password=False)
    key = LEDGER_KEY.public_key.hex()
    runner = CliRunner()
    honest = _trace(world, PRODUCT)
    assert "verify-trace" in honest["completeness"]
    out = tmp_path / "trace.json"
    out.write_text(json.dumps(honest))
    ok = runner.invoke(trace_app, ["verify-trace", str(out), "--key", key, "--db", url])
    assert ok.exit_code == 0, ok.output
    assert "complete" in ok.output
    # A ledger that leaves the case's receiving out of its answer: consistent, signed, and
    # verifying offline (the receiving's entry is gone too) — but the copy tells.
    lying = copy.deepcopy(honest)
    lying["events"] = [e for e in lying["events"] if e["seq"] != seqs[3]]
    lying["entries"] = [e for e in lying["entries"] if e["seq"] != seqs[3]]
    out.write_text(json.dumps(_resigned(lying)))
    offline = runner.invoke(trace_app, ["verify-trace", str(out), "--key", key])
    assert offline.exit_code == 0, offline.output
    caught = runner.invoke(trace_app, ["verify-trace", str(out), "--key", key, "--db", url])
    assert caught.exit_code == 1
    assert "INCOMPLETE" in caught.output
    assert "events" in caught.output
