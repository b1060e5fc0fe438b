"""A gradient-boosted tree ensemble as plain arrays, evaluated with numpy.

The challenger is fitted by scikit-learn's ``HistGradientBoostingClassifier``; its trees
are then read out (``_predictors``: node records and categorical bitsets, private but
stable since 0.24) into this value object, and every prediction — before and after
saving — is made here. That makes a saved model need no pickle and no scikit-learn
internals to load, and makes a loaded model predict exactly what the fitted one did: the
leaf values are added tree by tree to the baseline in the order scikit-learn adds them.
A test holds the evaluation equal to scikit-learn's own raw predictions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from credit.errors import ArtifactInvalid

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
CHUNK = 8192
_FIELDS = (
    "feature",
    "threshold",
    "missing_left",
    "left",
    "right",
    "is_leaf",
    "value",
    "is_categorical",
    "bitset",
    "count",
)


@dataclass(frozen=True, slots=True, eq=False)
class TreeEnsemble:
    """All trees' nodes in flat arrays; ``left``/``right`` index the flat arrays."""

    baseline: float
    roots: IntArray
    feature: IntArray
    threshold: FloatArray
    missing_left: npt.NDArray[np.bool_]
    left: IntArray
    right: IntArray
    is_leaf: npt.NDArray[np.bool_]
    value: FloatArray
    is_categorical: npt.NDArray[np.bool_]
    bitset: IntArray
    count: IntArray
    bitsets: npt.NDArray[np.uint32]
    known: npt.NDArray[np.uint32]
    max_depth: int
    _fast: list[Callable[[FloatArray], FloatArray] | None] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_fast", [])
        n = len(self.feature)
        for name in _FIELDS:
            if len(getattr(self, name)) != n:
                raise ArtifactInvalid(f"tree arrays differ in length ({name})", field="trees")
        inner = ~self.is_leaf
        if n and (
            (self.left[inner] >= n).any()
            or (self.right[inner] >= n).any()
            or (self.roots >= n).any()
        ):
            raise ArtifactInvalid("a tree node points outside the ensemble", field="trees")

    @property
    def n_trees(self) -> int:
        return len(self.roots)

    def raw(self, X: FloatArray) -> FloatArray:
        """Log-odds of bad for encoded rows (float64, NaN missing, categories as codes).

        Uses scikit-learn's compiled predictor when available (``native_trees``), else
        :meth:`walk`; both give the same floats.
        """
        if not self._fast:
            from credit.models.native_trees import build

            self._fast.append(build(self))
        fast = self._fast[0]
        return fast(X) if fast is not None else self.walk(X)

    def walk(self, X: FloatArray) -> FloatArray:
        """The reference evaluation in numpy alone."""
        out = np.empty(X.shape[0], dtype=np.float64)
        for start in range(0, X.shape[0], CHUNK):
            out[start : start + CHUNK] = self._raw_chunk(X[start : start + CHUNK])
        return out

    def _raw_chunk(self, X: FloatArray) -> FloatArray:
        """Walk every (row, tree) pair down its tree, only the pairs not yet at a leaf."""
        n, trees = X.shape[0], self.n_trees
        node = np.tile(self.roots, n)
        row = np.repeat(np.arange(n), trees)
        active = np.flatnonzero(~self.is_leaf[node])
        for _ in range(self.max_depth):
            if active.size == 0:
                break
            at = node[active]
            x = X[row[active], self.feature[at]]
            missing = np.isnan(x)
            go_left = x <= self.threshold[at]
            cats = self.is_categorical[at] & ~missing
            if cats.any():
                k = np.flatnonzero(cats)
                go_left[k] = self._categorical_left(at[k], x[k])
            go_left[missing] = self.missing_left[at[missing]]
            step = np.where(go_left, self.left[at], self.right[at])
            node[active] = step
            active = active[~self.is_leaf[step]]
        # baseline + tree 1 + tree 2 + ..., left to right as scikit-learn adds them:
        # cumulative sums are sequential, where a plain sum would be pairwise.
        terms = np.empty((n, trees + 1), dtype=np.float64)
        terms[:, 0] = self.baseline
        terms[:, 1:] = self.value[node].reshape(n, trees)
        return np.asarray(np.cumsum(terms, axis=1)[:, -1], dtype=np.float64)

    def _categorical_left(self, at: IntArray, x: FloatArray) -> npt.NDArray[np.bool_]:
        """Whether each category code goes left at its node; unseen codes follow missing."""
        code = x.astype(np.int64)
        shift = (code & 31).astype(np.uint32)
        word = self.bitsets[self.bitset[at], code >> 5]
        in_left = ((word >> shift) & 1).astype(bool)
        seen = ((self.known[self.feature[at], code >> 5] >> shift) & 1).astype(bool)
        return np.where(seen, in_left, self.missing_left[at])

    def split_values(self, feature: int) -> FloatArray:
        """Distinct numeric thresholds the trees use on ``feature``, ascending."""
        mask = (self.feature == feature) & ~self.is_leaf & ~self.is_categorical
        return np.unique(self.threshold[mask])

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: getattr(self, name).tolist() for name in _FIELDS}
        data.update(
            baseline=self.baseline,
            roots=self.roots.tolist(),
            bitsets=self.bitsets.tolist(),
            known=self.known.tolist(),
            max_depth=self.max_depth,
        )
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TreeEnsemble:
        try:
            bitsets = np.asarray(data["bitsets"], dtype=np.uint32).reshape(-1, 8)
            return cls(
                baseline=float(data["baseline"]),
                roots=np.asarray(data["roots"], dtype=np.int64),
                feature=np.asarray(data["feature"], dtype=np.int64),
                threshold=np.asarray(data["threshold"], dtype=np.float64),
                missing_left=np.asarray(data["missing_left"], dtype=bool),
                left=np.asarray(data["left"], dtype=np.int64),
                right=np.asarray(data["right"], dtype=np.int64),
                is_leaf=np.asarray(data["is_leaf"], dtype=bool),
                value=np.asarray(data["value"], dtype=np.float64),
                is_categorical=np.asarray(data["is_categorical"], dtype=bool),
                bitset=np.asarray(data["bitset"], dtype=np.int64),
                count=np.asarray(data["count"], dtype=np.int64),
                bitsets=bitsets,
                known=np.asarray(data["known"], dtype=np.uint32).reshape(-1, 8),
                max_depth=int(data["max_depth"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ArtifactInvalid(f"malformed trees: {exc}", field="trees") from exc


def _bits(codes: npt.NDArray[Any]) -> npt.NDArray[np.uint32]:
    words = np.zeros(8, dtype=np.uint32)
    for code in np.asarray(codes, dtype=np.int64):
        words[code >> 5] |= np.uint32(1) << np.uint32(code & 31)
    return words


def _column_map(model: Any, n_features: int) -> tuple[list[int], dict[int, npt.NDArray[Any]]]:
    """Original column of each column the trees see, and each categorical column's codes.

    With categorical features scikit-learn puts them first and ordinal-encodes them again
    (its ``_preprocessor``); the trees' feature indices and bitsets refer to that order
    and those ordinals, so both are mapped back to our columns and codes here.
    """
    pre = getattr(model, "_preprocessor", None)
    if pre is None:
        return list(range(n_features)), {}
    order = [int(i) for i in np.flatnonzero(model.is_categorical_)]
    order += [int(i) for i in np.flatnonzero(~model.is_categorical_)]
    encoder = pre.named_transformers_["encoder"]
    values = {}
    for position, categories in enumerate(encoder.categories_):
        cats = np.asarray(categories, dtype=np.float64)
        values[position] = cats[~np.isnan(cats)]
    return order, values


def from_sklearn(model: Any, n_features: int) -> TreeEnsemble:
    """Read a fitted binary ``HistGradientBoostingClassifier`` into a :class:`TreeEnsemble`."""
    order, codes = _column_map(model, n_features)
    known = np.zeros((n_features, 8), dtype=np.uint32)
    for position, values in codes.items():
        known[order[position]] = _bits(values)
    parts: dict[str, list[Any]] = {name: [] for name in _FIELDS}
    roots: list[int] = []
    bitsets: list[npt.NDArray[np.uint32]] = []
    offset, depth = 0, 1
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        roots.append(offset)
        leaf = nodes["is_leaf"].astype(bool)
        is_cat = nodes["is_categorical"].astype(bool) & ~leaf
        seen_idx = nodes["feature_idx"].astype(np.int64)
        parts["feature"].append(np.asarray([order[i] for i in seen_idx], dtype=np.int64))
        parts["threshold"].append(nodes["num_threshold"].astype(np.float64))
        parts["missing_left"].append(nodes["missing_go_to_left"].astype(bool))
        parts["left"].append(np.where(leaf, 0, nodes["left"].astype(np.int64) + offset))
        parts["right"].append(np.where(leaf, 0, nodes["right"].astype(np.int64) + offset))
        parts["is_leaf"].append(leaf)
        parts["value"].append(nodes["value"].astype(np.float64))
        parts["is_categorical"].append(is_cat)
        parts["count"].append(nodes["count"].astype(np.int64))
        raw_bits = np.asarray(predictor.raw_left_cat_bitsets, dtype=np.uint32).reshape(-1, 8)
        index = np.zeros(len(nodes), dtype=np.int64)
        for k in np.flatnonzero(is_cat):
            ordinals = [
                o for o in range(256) if raw_bits[nodes["bitset_idx"][k], o >> 5] >> (o & 31) & 1
            ]
            cats = codes[int(seen_idx[k])]
            index[k] = len(bitsets)
            bitsets.append(_bits(cats[[o for o in ordinals if o < len(cats)]]))
        parts["bitset"].append(index)
        offset += len(nodes)
        depth = max(depth, int(nodes["depth"].max()) + 1)
    return TreeEnsemble(
        baseline=float(np.asarray(model._baseline_prediction).ravel()[0]),
        roots=np.asarray(roots, dtype=np.int64),
        bitsets=np.stack(bitsets) if bitsets else np.zeros((1, 8), dtype=np.uint32),
        known=known,
        max_depth=depth,
        **{name: np.concatenate(v) for name, v in parts.items()},
    )
