"""The committed ABI and bytecode are exactly what the pinned solc makes of the sources.

Anyone who edits a .sol file and forgets to recompile (or hand-edits a build file) fails
here, so the Python client can never talk to a contract other than the one reviewed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.chain.conftest import unavailable

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"


def test_committed_artifacts_match_a_fresh_compile() -> None:
    node = shutil.which("node")
    if node is None or not (CONTRACTS / "node_modules" / "solc").is_dir():
        unavailable("node or contracts/node_modules/solc missing: run `make contracts`")
        return
    result = subprocess.run(
        [node, "scripts/compile.js", "--check"],
        cwd=CONTRACTS,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
