"""The README's "As a participant" section, run as written against a served ledger.

Only the server's address in the first line is changed (a free port instead of 8000);
every other command is pasted from the README and must succeed, ending in a proof.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from tests.client.served import BIN, served
from tests.conftest import REPO


def _walkthrough() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(
        r"<!-- participant-walkthrough -->\s*```sh\n(.*?)```\s*<!-- /participant-walkthrough -->",
        text,
        re.S,
    )
    assert match, "the README lost its participant walkthrough"
    return match.group(1)


def test_the_readme_participant_section_works_as_written(tmp_path: Path) -> None:
    script = _walkthrough()
    assert "http://127.0.0.1:8000" in script
    with served(tmp_path, "sqlite:///var/threeflow.db") as url:
        run = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script.replace("http://127.0.0.1:8000", url)],
            cwd=tmp_path,
            env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert run.returncode == 0, run.stdout + run.stderr
    [receipt] = [
        json.loads(line) for line in (tmp_path / "receipts.jsonl").read_text().splitlines()
    ]
    [proof] = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert proof["seq"] == receipt["seq"]
    assert proof["proven_in_tree_size"] > receipt["seq"]
    assert "proven" in run.stderr
