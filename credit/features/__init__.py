"""Point-in-time ledger features for credit, grouped by flow, and labels from the ledger.

``compute(ledger, tree_size)`` folds the entries of the as-of tree (one streaming scan)
into a feature vector per firm; ``read_labels`` reads defaults in the window after it.
"""

from __future__ import annotations

from credit.features.catalogue import (
    DESCRIPTIONS,
    FEATURE_SCHEMA,
    FEATURE_SCHEMA_HASH,
    FEATURES,
    FLOWS,
    NAMES,
    names_of,
)
from credit.features.labels import Labels, population, read_labels
from credit.features.scan import AsOf, FeatureTable, compute

__all__ = [
    "DESCRIPTIONS",
    "FEATURES",
    "FEATURE_SCHEMA",
    "FEATURE_SCHEMA_HASH",
    "FLOWS",
    "NAMES",
    "AsOf",
    "FeatureTable",
    "Labels",
    "compute",
    "names_of",
    "population",
    "read_labels",
]
