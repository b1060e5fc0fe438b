"""The traceability commands as users type them: through the mounted ``threeflow`` command."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from finance_api.cli import app
from ledger.core.keys import SigningKey

runner = CliRunner()


def test_ingest_trace_and_verify_trace_through_threeflow(tmp_path: Path, shared_dir: Path) -> None:
    db = f"sqlite:///{tmp_path / 'trace.db'}"
    key_file = tmp_path / "ledger.key"
    key_file.write_text(SigningKey(bytes(range(32))).seed.hex())
    doc = shared_dir / "vectors/epcis/epcisDocWithSingleEvent.jsonld"
    expected = json.loads((shared_dir / "vectors/epcis/expected_hashes.json").read_text())
    result = runner.invoke(
        app, ["epcis", "ingest", str(doc), "--db", db, "--key-file", str(key_file)]
    )
    assert result.exit_code == 0, result.output
    captured = json.loads(result.output)["events"]
    assert [e["hash_id"] for e in captured] == expected["epcisDocWithSingleEvent.jsonld"]

    event = json.loads(doc.read_text())["epcisBody"]["eventList"][0]
    item = event["epcList"][0]
    out = tmp_path / "trace.json"
    args = ["trace", item, "--direction", "both", "--out", str(out), "--db", db]
    result = runner.invoke(app, [*args, "--key-file", str(key_file)])
    assert result.exit_code == 0, result.output
    public = SigningKey(bytes(range(32))).public_key.hex()
    assert runner.invoke(app, ["verify-trace", str(out), "--key", public]).exit_code == 0

    trace = json.loads(out.read_text())
    text = json.dumps(trace).replace(captured[0]["hash_id"][-8:], "00000000", 1)
    out.write_text(text)
    result = runner.invoke(app, ["verify-trace", str(out), "--key", public])
    assert result.exit_code == 1, result.output
    wrong = SigningKey(bytes(32)).public_key.hex()
    out.write_text(json.dumps(trace))
    assert runner.invoke(app, ["verify-trace", str(out), "--key", wrong]).exit_code == 1
