"""Recall returns every end item and where it is now; recall and authenticity answers verify
offline like traces, and an edited answer does not."""

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
from ledger.verification.trace_answers import verify_answer
from tests.traceability.conftest import (
    FACTORY,
    FARM,
    LEDGER_KEY,
    LOT,
    PRODUCT,
    SSCC,
    STORE,
    UNITS,
    World,
    at,
    capture_json,
    supply_chain,
)

FLOUR = "urn:epc:class:lgtin:4012345.011111.FLOUR1"
ILMD_LOT = "urn:epc:class:lgtin:0614141.107346.L42"


def _get(world: World, path: str) -> dict[str, Any]:
    response = world.client.get(path, headers=world.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _ends(recall: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in recall["end_items"]}


def test_a_lot_not_transformed_further_is_its_own_end_item(world: World) -> None:
    capture_json(
        world,
        [
            s.object_event(at(0), [], quantities=[(FLOUR, 10)], biz_location=FARM),
            s.object_event(at(1), [], quantities=[(FLOUR, 10)], biz_location=STORE),
        ],
    )
    recall = _get(world, f"/v1/recall/{FLOUR}")
    ends = _ends(recall)
    assert list(ends) == [canonical_id_or_self(FLOUR)]
    assert ends[canonical_id_or_self(FLOUR)]["last_seen"]["biz_location"] == canonical_id_or_self(
        STORE
    )
    verify_answer(recall, LEDGER_KEY.public_key)


def test_a_unit_inside_a_case_is_an_end_item_located_by_its_case(world: World) -> None:
    capture_json(world, supply_chain()[:4])  # commission, pack, ship, receive (no transform)
    recall = _get(world, f"/v1/recall/{UNITS[0]}")
    ends = _ends(recall)
    unit = canonical_id_or_self(UNITS[0])
    assert list(ends) == [unit]
    assert ends[unit]["containers"] == [canonical_id_or_self(SSCC)]
    assert ends[unit]["last_seen"]["biz_location"] == canonical_id_or_self(FACTORY)
    verify_answer(recall, LEDGER_KEY.public_key)


def test_transformation_outputs_are_end_items(world: World) -> None:
    capture_json(world, supply_chain())
    recall = _get(world, f"/v1/recall/{LOT}")
    assert list(_ends(recall)) == [canonical_id_or_self(PRODUCT)]
    verify_answer(recall, LEDGER_KEY.public_key)


def test_a_lot_commissioned_in_the_ilmd_is_indexed_and_recalled(world: World) -> None:
    commission = s.object_event(
        at(0), UNITS[:2], action="ADD", biz_step="commissioning", biz_location=FARM
    )
    commission["ilmd"] = {"cbvmda:lotNumber": "L42"}
    capture_json(
        world,
        [
            commission,
            s.aggregation_event(at(1), SSCC, UNITS[:2], biz_location=FARM),
            s.object_event(at(3), [SSCC], biz_step="receiving", biz_location=STORE),
        ],
    )
    recall = _get(world, f"/v1/recall/{ILMD_LOT}")
    ends = _ends(recall)
    assert sorted(ends) == sorted(canonical_id_or_self(u) for u in UNITS[:2])
    assert {e["last_seen"]["biz_location"] for e in ends.values()} == {canonical_id_or_self(STORE)}
    verify_answer(recall, LEDGER_KEY.public_key)
    back = _get(world, f"/v1/trace/{UNITS[0]}")
    assert canonical_id_or_self(ILMD_LOT) in back["items"]  # a unit traces back to its lot


def _resigned(doc: dict[str, Any]) -> dict[str, Any]:
    doc["statement"] = LEDGER_KEY.sign(statement_bytes(doc)).hex()
    return doc


def _recall_edits() -> list[tuple[str, Any]]:
    def drop_end(doc: dict[str, Any]) -> None:
        doc["end_items"].pop()

    def move(doc: dict[str, Any]) -> None:
        doc["end_items"][0]["last_seen"]["biz_location"] = canonical_id_or_self(FARM)

    def relabel(doc: dict[str, Any]) -> None:
        doc["query"] = {"lot": FLOUR, "canonical_id": canonical_id_or_self(FLOUR)}

    return [("dropped-end-item", drop_end), ("moved", move), ("relabelled", relabel)]


@pytest.mark.parametrize(("name", "edit"), _recall_edits())
def test_an_edited_recall_fails(world: World, name: str, edit: Any) -> None:
    capture_json(world, supply_chain())
    recall = _get(world, f"/v1/recall/{UNITS[1]}")
    verify_answer(recall, LEDGER_KEY.public_key)
    bad = copy.deepcopy(recall)
    edit(bad)
    with pytest.raises(TraceVerificationFailed, match="sign"):
        verify_answer(bad, LEDGER_KEY.public_key)
    with pytest.raises(TraceVerificationFailed):
        verify_answer(_resigned(bad), LEDGER_KEY.public_key)


def test_an_authenticity_answer_is_proven_and_its_verdict_recomputed(world: World) -> None:
    capture_json(world, supply_chain())
    answer = _get(world, f"/v1/items/{UNITS[0]}/authenticity")
    assert answer["verdict"] == "authentic"
    assert "authentic" in verify_answer(answer, LEDGER_KEY.public_key)
    assert int(answer["checkpoint"].split("\n")[1]) >= answer["as_of"]
    forged = copy.deepcopy(answer)
    forged["verdict"] = "suspicious"
    with pytest.raises(TraceVerificationFailed):
        verify_answer(_resigned(forged), LEDGER_KEY.public_key)
    hidden = copy.deepcopy(answer)
    hidden["flags"] = [{"flag": "commissioned_twice", "seqs": hidden["events"][:2]}]
    with pytest.raises(TraceVerificationFailed):
        verify_answer(_resigned(hidden), LEDGER_KEY.public_key)


def test_cli_recall_then_verify_trace_with_a_copy(world: World, tmp_path: Path) -> None:
    capture_json(world, supply_chain())
    url = world.ledger.engines.write.url.render_as_string(hide_password=False)
    key_file = tmp_path / "ledger.key"
    key_file.write_text(LEDGER_KEY.seed.hex() + "\n")
    out = tmp_path / "recall.json"
    runner = CliRunner()
    made = runner.invoke(
        trace_app, ["recall", LOT, "--db", url, "--key-file", str(key_file), "-o", str(out)]
    )
    assert made.exit_code == 0, made.output
    key = LEDGER_KEY.public_key.hex()
    ok = runner.invoke(trace_app, ["verify-trace", str(out), "--key", key, "--db", url])
    assert ok.exit_code == 0, ok.output
    lying = json.loads(out.read_text())
    lying["end_items"] = []
    out.write_text(json.dumps(_resigned(lying)))
    caught = runner.invoke(trace_app, ["verify-trace", str(out), "--key", key])
    assert caught.exit_code == 1
