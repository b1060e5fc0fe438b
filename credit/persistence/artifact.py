"""Versioned model artifacts on disk: ``<root>/<name>/<version>/``.

Each version directory holds ``model.json`` (the parameters, see ``codec``),
``model_card.json`` and ``MODEL_CARD.md``. Versions are ``v0001``, ``v0002``, ...: zero
padded, so they sort as text in the order they were made. Loading checks, in order, that
the card parses, that ``model.json`` still hashes to the card's content hash (an edited
parameter is refused as tampering — this detects edits, not a forger who rewrites both
files; sign the card for that), that the document's schema hash matches the card's, and
that it matches the schema the caller expects.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from credit.errors import ArtifactInvalid, ArtifactTampered, InvalidInput, SchemaMismatch
from credit.models.base import CreditModel
from credit.models.validation import check_fitted
from credit.persistence.codec import decode, encode
from credit.persistence.model_card import DEFAULT_LIMITS, DEFAULT_USE, ModelCard

MODEL_FILE = "model.json"
CARD_FILE = "model_card.json"
CARD_MARKDOWN = "MODEL_CARD.md"
VERSION = re.compile(r"^v\d{4,}$")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _canonical(doc: Any) -> bytes:
    try:
        text = json.dumps(doc, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except ValueError as exc:
        raise ArtifactInvalid(f"model parameters are not finite: {exc}") from exc
    return text.encode("utf-8")


def versions(root: Path | str, name: str) -> list[str]:
    """Saved versions of ``name`` under ``root``, oldest first."""
    folder = Path(root) / name
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and VERSION.match(p.name))


def next_version(root: Path | str, name: str) -> str:
    found = versions(root, name)
    return f"v{(int(found[-1][1:]) + 1 if found else 1):04d}"


def save_model(
    model: CreditModel,
    root: Path | str,
    name: str,
    *,
    created_at: datetime,
    version: str | None = None,
    data_window: tuple[str, str] | None = None,
    performance: Mapping[str, float] | None = None,
    intended_use: str = DEFAULT_USE,
    limits: Sequence[str] = DEFAULT_LIMITS,
) -> Path:
    """Write a fitted model as a new version of ``name``; returns its directory."""
    check_fitted(model)
    if not NAME.match(name):
        raise InvalidInput("a model name is letters, digits, '.', '_' and '-'", field="name")
    if created_at.tzinfo is None:
        raise InvalidInput("created_at must carry a time zone", field="created_at")
    version = version or next_version(root, name)
    if not VERSION.match(version):
        raise InvalidInput("a version is 'v' and at least four digits", field="version")
    folder = Path(root) / name / version
    if folder.exists():
        raise InvalidInput(f"version {version} of {name} already exists", field="version")
    doc = encode(model)
    body = _canonical(doc)
    card = ModelCard(
        name=name,
        version=version,
        model_type=doc["model_type"],
        created_at=created_at.isoformat(),
        feature_schema_sha256=model.schema_.sha256,
        content_sha256=hashlib.sha256(body).hexdigest(),
        features=tuple(doc["schema"]),
        data_window=data_window,
        performance={str(k): float(v) for k, v in (performance or {}).items()},
        intended_use=intended_use,
        limits=tuple(limits),
        library=_library(),
    )
    folder.mkdir(parents=True)
    (folder / MODEL_FILE).write_bytes(body)
    (folder / CARD_FILE).write_text(json.dumps(card.to_json(), indent=2) + "\n", encoding="utf-8")
    (folder / CARD_MARKDOWN).write_text(card.to_markdown(), encoding="utf-8")
    return folder


def read_card(folder: Path | str) -> ModelCard:
    path = Path(folder) / CARD_FILE
    try:
        return ModelCard.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError) as exc:
        raise ArtifactInvalid(f"cannot read {path}: {exc}", field="model_card") from exc


def load_model(folder: Path | str, *, expected_schema_sha256: str | None = None) -> CreditModel:
    """Load the model in ``folder``, refusing edited parameters and another schema."""
    card = read_card(folder)
    if expected_schema_sha256 is not None and card.feature_schema_sha256 != expected_schema_sha256:
        raise SchemaMismatch(
            "the model was saved for another feature schema",
            expected=expected_schema_sha256,
            found=card.feature_schema_sha256,
        )
    path = Path(folder) / MODEL_FILE
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise ArtifactInvalid(f"cannot read {path}: {exc}", field="model") from exc
    calculated = hashlib.sha256(body).hexdigest()
    if calculated != card.content_sha256:
        raise ArtifactTampered(
            "model.json does not hash to the content hash in its card: it was edited",
            expected=card.content_sha256,
            calculated=calculated,
        )
    try:
        doc = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ArtifactInvalid(f"model.json is not JSON: {exc}", field="model") from exc
    model = decode(doc)
    if model.schema_.sha256 != card.feature_schema_sha256 or (
        doc.get("feature_schema_sha256") != card.feature_schema_sha256
    ):
        raise SchemaMismatch(
            "the model's schema does not match its card",
            expected=card.feature_schema_sha256,
            found=model.schema_.sha256,
        )
    return model


def load_latest(root: Path | str, name: str, **kwargs: Any) -> CreditModel:
    found = versions(root, name)
    if not found:
        raise ArtifactInvalid(f"no saved version of {name} under {root}", field="name")
    return load_model(Path(root) / name / found[-1], **kwargs)


def _library() -> dict[str, str]:
    import numpy
    import pandas
    import sklearn

    return {
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
        "scikit-learn": sklearn.__version__,
    }
