"""The feature schema a model was fitted on, and its hash.

A saved model is only valid for data of the same shape: the same feature names, each of the
same kind (numeric or categorical). The schema hash is SHA-256 over the sorted
``(name, kind)`` pairs, so a caller can refuse a model made for another schema without
loading its parameters, and column order does not change the hash.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum

from credit.errors import InvalidInput


class FeatureKind(StrEnum):
    """How a feature is binned or split: by value order, or by category membership."""

    NUMERIC = "numeric"
    CATEGORICAL = "categorical"


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """One input column: its name and kind."""

    name: str
    kind: FeatureKind

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidInput("a feature name must be a non-empty string", field="name")
        if not isinstance(self.kind, FeatureKind):
            raise InvalidInput(f"unknown feature kind {self.kind!r}", field=self.name)


@dataclass(frozen=True, slots=True)
class FeatureSchema:
    """The ordered features a model expects."""

    features: tuple[FeatureSpec, ...]

    def __post_init__(self) -> None:
        names = [spec.name for spec in self.features]
        if len(set(names)) != len(names):
            raise InvalidInput("feature names must be unique", field="features")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.features)

    def kind_of(self, name: str) -> FeatureKind:
        for spec in self.features:
            if spec.name == name:
                return spec.kind
        raise InvalidInput(f"unknown feature {name!r}", field=name)

    def subset(self, names: list[str] | tuple[str, ...]) -> FeatureSchema:
        """The features named, in schema order."""
        wanted = set(names)
        return FeatureSchema(tuple(s for s in self.features if s.name in wanted))

    @property
    def sha256(self) -> str:
        """SHA-256 (hex) over the sorted ``(name, kind)`` pairs, as canonical JSON."""
        pairs = sorted((spec.name, spec.kind.value) for spec in self.features)
        text = json.dumps(pairs, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_json(self) -> list[dict[str, str]]:
        return [{"name": spec.name, "kind": spec.kind.value} for spec in self.features]

    @classmethod
    def from_json(cls, data: object) -> FeatureSchema:
        if not isinstance(data, list):
            raise InvalidInput("a feature schema is a list of {name, kind}", field="features")
        specs = []
        for item in data:
            if not isinstance(item, dict) or set(item) != {"name", "kind"}:
                raise InvalidInput("a feature is {name, kind}", field="features")
            try:
                kind = FeatureKind(item["kind"])
            except ValueError as exc:
                raise InvalidInput(f"unknown feature kind {item['kind']!r}") from exc
            specs.append(FeatureSpec(str(item["name"]), kind))
        return cls(tuple(specs))
