"""The ``threeflow`` ledger commands through typer's CliRunner, on both backends.

Exit codes: 0 valid, 1 invalid (the message names the first bad entry and why), 2 usage.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finance_api.cli import app
from ledger.core.checkpoint import verifier_key
from ledger.core.merkle.verify import verify_inclusion
from tests.ledger.rewrite import Raw, flip_digit
from tests.ledger.scenario import LEDGER_KEY, OTHER_LEDGER_KEY, Base


class Output(str):
    """Command output compared without whitespace: rich wraps long lines, even mid-path."""

    __slots__ = ()

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and "".join(text.split()) in "".join(self.split())


def run(*args: str) -> tuple[int, Output]:
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, Output(result.output)


def tamper(url: str) -> int:
    with Raw(url) as raw:
        row = next(row for row in raw.entries() if row.type == "payment.made")
        raw.update_entry(row.seq, canonical=flip_digit(row.canonical))
    return int(row.seq)


def test_verify_db_valid(base_copy: Base) -> None:
    code, out = run("verify", "--db", base_copy.url)
    assert code == 0, out
    assert f"valid {base_copy.url}: {base_copy.size} entries" in out
    assert f"{len(base_copy.checkpoints)} signed checkpoints" in out


@pytest.mark.parametrize(
    "key",
    [LEDGER_KEY.public_key.hex(), "verifier"],
    ids=["hex key", "note verifier key"],
)
def test_verify_db_with_a_pinned_key(base_copy: Base, key: str) -> None:
    if key == "verifier":
        with Raw(base_copy.url) as raw:
            key = verifier_key(raw.head().origin, LEDGER_KEY.public_key)
    assert run("verify", "--db", base_copy.url, "--key", key)[0] == 0


def test_verify_db_names_the_first_bad_entry(base_copy: Base) -> None:
    seq = tamper(base_copy.url)
    code, out = run("verify", "--db", base_copy.url)
    assert code == 1
    assert f"INVALID entry {seq}: leaf hash does not match the entry's content" in out


def test_verify_db_with_another_pinned_key(base_copy: Base) -> None:
    code, out = run("verify", "--db", base_copy.url, "--key", OTHER_LEDGER_KEY.public_key.hex())
    assert code == 1
    assert "INVALID the database names another ledger key than the pinned one" in out


def test_export_then_verify_the_file(base_copy: Base, tmp_path: Path) -> None:
    bundle = tmp_path / "out.jsonl"
    code, out = run("export", "--db", base_copy.url, "--out", str(bundle))
    assert code == 0, out
    assert f"wrote {base_copy.size} entries to {bundle}" in out
    code, out = run("verify", str(bundle), "--key", LEDGER_KEY.public_key.hex())
    assert code == 0, out
    assert f"{base_copy.size} entries" in out
    assert "note:" not in out
    code, out = run("verify", str(bundle))
    assert code == 0
    assert "note: ledger key taken from the bundle itself" in out


def test_verify_file_names_the_first_bad_entry(base_copy: Base, tmp_path: Path) -> None:
    seq = tamper(base_copy.url)
    bundle = tmp_path / "bad.jsonl"
    assert run("export", "--db", base_copy.url, "--out", str(bundle))[0] == 0
    code, out = run("verify", str(bundle), "--key", LEDGER_KEY.public_key.hex())
    assert code == 1
    assert f"INVALID entry {seq}: leaf hash does not match" in out


def test_checkpoint_and_proof_commands(base_copy: Base, tmp_path: Path) -> None:
    key_file = tmp_path / "ledger.key"
    key_file.write_text(LEDGER_KEY.seed.hex() + "\n")
    code, note = run("checkpoint", "--db", base_copy.url, "--key-file", str(key_file))
    assert code == 0
    assert f" {base_copy.size} " in note  # the size line of the printed note
    result = CliRunner().invoke(app, ["proof", "--db", base_copy.url, "--seq", "5"])
    assert result.exit_code == 0
    proof = json.loads(result.stdout)
    verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        5,
        proof["tree_size"],
        [bytes.fromhex(h) for h in proof["audit_path"]],
        bytes.fromhex(proof["root_hash"]),
    )
    code, out = run("proof", "--db", base_copy.url, "--seq", str(base_copy.size))
    assert code == 1
    assert "error:" in out


@pytest.mark.parametrize(
    "args",
    [
        ["verify"],
        ["verify", "bundle.jsonl", "--db", "sqlite:///x.db"],
        ["verify", "--db", "sqlite:///x.db", "--key", "not-hex"],
        ["verify", "--db", "sqlite:///x.db", "--key", "abcd"],
        ["verify", "--db"],
        ["verify", "--unknown"],
        ["export", "--db", "sqlite:///x.db"],
        ["export", "--out", "x.jsonl"],
        ["proof", "--db", "sqlite:///x.db", "--seq", "one"],
    ],
    ids=lambda args: " ".join(args),
)
def test_usage_errors_exit_2(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = run(*args)
    assert code == 2, out
    assert not list(tmp_path.iterdir())  # nothing was created on the way out


def test_verify_a_database_that_is_not_there(tmp_path: Path) -> None:
    missing = tmp_path / "missing" / "ledger.db"
    code, out = run("verify", "--db", f"sqlite:///{missing}")
    assert code == 1
    assert "INVALID cannot read the ledger database" in out
    assert not missing.parent.exists()  # verifying creates nothing


def test_export_errors_are_messages_not_tracebacks(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = f"sqlite:///{tmp_path / 'nowhere' / 'none.db'}"
    result = runner.invoke(app, ["export", "--db", missing, "--out", str(tmp_path / "b.jsonl")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "cannot read" in result.output or "no ledger" in result.output
    assert not (tmp_path / "b.jsonl").exists()
