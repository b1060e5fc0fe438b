"""Compiled contract artifacts (ABI and bytecode), found in a checkout or in the package.

The Solidity build lives in ``contracts/build``; the compile script also copies it into
``ledger/anchoring/compiled`` (package data; a folder named ``artifacts`` would shadow this
module) so an installed wheel, which has no ``contracts/`` folder, can still deploy and
talk to the contracts. Both copies are checked against the sources
by a test, so either may be read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ledger.anchoring.errors import ArtifactError

LEDGER_ANCHOR = "LedgerAnchor"
LEDGER_ANCHOR_V2 = "LedgerAnchorV2"

_PACKAGED = Path(__file__).resolve().parent / "compiled"


@dataclass(frozen=True, slots=True)
class Artifact:
    """One compiled contract: what is needed to deploy it and to encode calls to it."""

    name: str
    abi: tuple[dict[str, Any], ...]
    bytecode: str
    deployed_bytecode: str
    compiler_version: str
    source: Path

    def __post_init__(self) -> None:
        if not self.bytecode.startswith("0x") or len(self.bytecode) < 4:
            raise ArtifactError(f"artifact {self.name} in {self.source} has no bytecode")


def candidate_dirs() -> tuple[Path, ...]:
    """Where artifacts are looked for, in order: a checkout's build, then the package.

    The checkout is found by walking up from this file to a folder that holds
    ``contracts/build``, so it works from any working directory.
    """
    dirs: list[Path] = []
    for parent in _PACKAGED.parents:
        build = parent / "contracts" / "build"
        if build.is_dir():
            dirs.append(build)
            break
    dirs.append(_PACKAGED)
    return tuple(dirs)


def artifact_names() -> tuple[str, ...]:
    """Every contract compiled in the first folder of :func:`candidate_dirs` that has any.

    A chain connection decodes the reverts of all of them, so a feature's contract (the
    receipt registry) needs no mention here.
    """
    for folder in candidate_dirs():
        names = tuple(sorted(path.stem for path in folder.glob("*.json")))
        if names:
            return names
    return ()


def load_artifact(name: str, directory: Path | None = None) -> Artifact:
    """Loads ``<name>.json`` from ``directory``, or from the first of :func:`candidate_dirs`."""
    return _load(name, directory)


@cache
def _load(name: str, directory: Path | None) -> Artifact:
    dirs = (directory,) if directory is not None else candidate_dirs()
    for folder in dirs:
        path = folder / f"{name}.json"
        if path.is_file():
            raw = json.loads(path.read_text(encoding="utf-8"))
            return Artifact(
                name=str(raw["contractName"]),
                abi=tuple(raw["abi"]),
                bytecode=str(raw["bytecode"]),
                deployed_bytecode=str(raw["deployedBytecode"]),
                compiler_version=str(raw["compiler"]["version"]),
                source=path,
            )
    looked = ", ".join(str(d) for d in dirs)
    raise ArtifactError(f"no compiled artifact {name}.json in {looked}")
