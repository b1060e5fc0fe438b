"""Saving and loading fitted models as versioned, hash-checked JSON artifacts (no pickle)."""
