"""Compiled contract artifacts shipped as package data (written by contracts/scripts/compile.js)."""
