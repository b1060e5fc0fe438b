"""Fixtures shared by every test package."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO.parent / "shared").resolve()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the checkout, as CI lays it out; the vectors are read there."""
    if not (SHARED / "vectors").is_dir():
        pytest.fail(f"../shared/vectors not found beside the checkout (looked in {SHARED})")
    return SHARED
