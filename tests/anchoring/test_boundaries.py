"""Where the anchoring feature and the receipt registry may reach, checked on their sources.

The feature goes through the ledger's front door (units of work, read snapshots), never its
engines; the log and its features import no finance, credit or simulation code, not even
lazily; and the modules stay small enough to read.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ANCHORING = sorted((REPO / "ledger" / "anchoring").glob("*.py"))
RECEIPTS = sorted((REPO / "finance_api" / "receipts_chain").glob("*.py"))
FORBIDDEN = ("finance_api", "credit", "simulations")


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_sources_are_found() -> None:
    assert {p.name for p in ANCHORING} >= {"service.py", "routes.py", "tables.py", "errors.py"}
    assert {p.name for p in RECEIPTS} >= {"client.py", "service.py", "store.py", "errors.py"}


@pytest.mark.parametrize("path", ANCHORING + RECEIPTS, ids=lambda p: p.name)
def test_no_module_reaches_the_ledger_engines(path: Path) -> None:
    assert ".engines" not in path.read_text(encoding="utf-8")
    assert "ledger.storage.db" not in imported(path)


@pytest.mark.parametrize("path", ANCHORING, ids=lambda p: p.name)
def test_anchoring_imports_no_finance_credit_or_simulations(path: Path) -> None:
    bad = {m for m in imported(path) if m.split(".")[0] in FORBIDDEN}
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", ANCHORING + RECEIPTS, ids=lambda p: p.name)
def test_modules_stay_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 300
