"""The layout's rules, checked: dependency contracts, no engine access outside storage, sizes.

The import contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and are checked by
import-linter; a deliberately broken contract proves the checker is not vacuous.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("ledger", "credit", "finance_api", "simulations")
# The modules that own the database engines: storage and the log's own services.
ENGINE_OWNERS = (
    "ledger/storage/",
    "ledger/audit/",
    "ledger/log.py",
    "ledger/checkpoints.py",
    "ledger/proofs.py",
)
MAX_LINES = 300


def _lint(config: Path | None = None) -> subprocess.CompletedProcess[str]:
    args = [str(LINT_IMPORTS), "--no-cache"]
    if config is not None:
        args += ["--config", str(config)]
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=120)


def test_every_dependency_contract_is_kept() -> None:
    result = _lint()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_checker_catches_a_broken_rule(tmp_path: Path) -> None:
    config = tmp_path / "broken.toml"
    config.write_text(
        "[tool.importlinter]\n"
        'root_packages = ["ledger"]\n'
        "include_external_packages = true\n"
        "[[tool.importlinter.contracts]]\n"
        'name = "the ledger facade imports no SQLAlchemy (false: it does)"\n'
        'type = "forbidden"\n'
        'source_modules = ["ledger.log"]\n'
        'forbidden_modules = ["sqlalchemy"]\n'
    )
    result = _lint(config)
    assert result.returncode != 0
    assert "1 broken" in result.stdout


def _product_modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (REPO / package).rglob("*.py"))


def test_features_reach_the_database_only_through_units_of_work() -> None:
    offenders = []
    for path in _product_modules():
        relative = path.relative_to(REPO).as_posix()
        if relative.startswith(ENGINE_OWNERS):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "engines":
                offenders.append(f"{relative}:{node.lineno}")
    assert offenders == [], "use ledger.unit_of_work() or ledger.reading(): " + ", ".join(offenders)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_is_over_the_size_guideline(package: str) -> None:
    sizes = {
        p.relative_to(REPO).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
        for p in (REPO / package).rglob("*.py")
    }
    over = {name: lines for name, lines in sizes.items() if lines > MAX_LINES}
    assert over == {}, f"modules over {MAX_LINES} lines: {over}"
