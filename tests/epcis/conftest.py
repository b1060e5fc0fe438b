"""Fixtures for the EPCIS tests: the vectors in ``../shared/vectors/epcis``, read in place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ledger.traceability.epcis import EpcisEvent, parse_document

DOC_SUFFIXES = (".json", ".jsonld", ".xml")
NOT_DOCUMENTS = ("expected_", "EPCIS-JSON-Schema", "epcis-context", "query-schema")


@pytest.fixture(scope="session")
def vectors(shared_dir: Path) -> Path:
    return shared_dir / "vectors" / "epcis"


@pytest.fixture(scope="session")
def document_paths(vectors: Path) -> list[Path]:
    """Every EPCIS document among the vectors (JSON, JSON-LD and XML)."""
    paths = sorted(
        p
        for p in vectors.iterdir()
        if p.suffix in DOC_SUFFIXES and not p.name.startswith(NOT_DOCUMENTS)
    )
    assert len(paths) == 42, [p.name for p in paths]
    return paths


@pytest.fixture(scope="session")
def load_expected(vectors: Path) -> Any:
    def load(name: str) -> Any:
        return json.loads((vectors / name).read_text("utf-8"))

    return load


@pytest.fixture(scope="session")
def parsed(document_paths: list[Path]) -> dict[str, list[EpcisEvent]]:
    """Every vector document parsed once: file name -> its events, in document order."""
    return {p.name: parse_document(p.read_bytes()) for p in document_paths}
