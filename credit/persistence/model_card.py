"""The model card: what a saved model is, what it was fitted on, and how well it did.

One card per artifact, as JSON (read by ``load_model``) and Markdown (read by people). It
records the two hashes that guard loading: the feature-schema hash (which data the model
is for) and the content hash of ``model.json`` (whether its parameters were edited).
``created_at`` is passed in by the caller — nothing here reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from credit.errors import ArtifactInvalid

DEFAULT_USE = (
    "Ranking and pricing of supply-chain-finance applicants by probability of default; "
    "decisions keep a human or a policy rule in the loop for declines."
)
DEFAULT_LIMITS = (
    "Valid only for applicants like the training population and window; watch PSI.",
    "PD is calibrated on out-of-fold predictions of the training data, not on later outcomes.",
    "Not a fraud model: apply fraud rules first and separately.",
)


@dataclass(frozen=True, slots=True)
class ModelCard:
    name: str
    version: str
    model_type: str
    created_at: str
    feature_schema_sha256: str
    content_sha256: str
    features: tuple[dict[str, str], ...]
    data_window: tuple[str, str] | None = None
    performance: dict[str, float] = field(default_factory=dict)
    intended_use: str = DEFAULT_USE
    limits: tuple[str, ...] = DEFAULT_LIMITS
    library: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        try:
            datetime.fromisoformat(self.created_at)
        except (TypeError, ValueError) as exc:
            raise ArtifactInvalid(
                "created_at must be an ISO 8601 time", field="created_at"
            ) from exc

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "model_type": self.model_type,
            "created_at": self.created_at,
            "feature_schema_sha256": self.feature_schema_sha256,
            "content_sha256": self.content_sha256,
            "features": [dict(f) for f in self.features],
            "data_window": list(self.data_window) if self.data_window else None,
            "performance": dict(self.performance),
            "intended_use": self.intended_use,
            "limits": list(self.limits),
            "library": dict(self.library),
        }

    @classmethod
    def from_json(cls, data: Any) -> ModelCard:
        try:
            window = data["data_window"]
            return cls(
                name=str(data["name"]),
                version=str(data["version"]),
                model_type=str(data["model_type"]),
                created_at=str(data["created_at"]),
                feature_schema_sha256=str(data["feature_schema_sha256"]),
                content_sha256=str(data["content_sha256"]),
                features=tuple(
                    {"name": str(f["name"]), "kind": str(f["kind"])} for f in data["features"]
                ),
                data_window=(str(window[0]), str(window[1])) if window else None,
                performance={str(k): float(v) for k, v in data["performance"].items()},
                intended_use=str(data["intended_use"]),
                limits=tuple(str(x) for x in data["limits"]),
                library={str(k): str(v) for k, v in data["library"].items()},
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ArtifactInvalid(f"malformed model card: {exc!r}", field="model_card") from exc

    def to_markdown(self) -> str:
        window = (
            f"{self.data_window[0]} to {self.data_window[1]}" if self.data_window else "not given"
        )
        lines = [
            f"# Model card: {self.name} {self.version}",
            "",
            f"- Model type: {self.model_type}",
            f"- Created at: {self.created_at}",
            f"- Data window: {window}",
            f"- Feature schema SHA-256: `{self.feature_schema_sha256}`",
            f"- Parameters (model.json) SHA-256: `{self.content_sha256}`",
            "",
            "## Intended use",
            "",
            self.intended_use,
            "",
            "## Features",
            "",
            "| feature | kind |",
            "| --- | --- |",
            *[f"| {f['name']} | {f['kind']} |" for f in self.features],
            "",
            "## Performance",
            "",
        ]
        if self.performance:
            lines += ["| metric | value |", "| --- | --- |"]
            lines += [f"| {k} | {v:.4f} |" for k, v in self.performance.items()]
        else:
            lines.append("Not measured when saved.")
        lines += ["", "## Limits", "", *[f"- {item}" for item in self.limits], ""]
        if self.library:
            lines += ["## Fitted with", ""]
            lines += [f"- {k} {v}" for k, v in self.library.items()]
            lines.append("")
        return "\n".join(lines)
