"""One entry point for every traceability answer file: dispatch on its ``format``."""

from __future__ import annotations

from typing import Any

from ledger.traceability.errors import TraceVerificationFailed
from ledger.verification.trace import FORMAT as TRACE_FORMAT
from ledger.verification.trace import verify_trace


def verify_answer(document: Any, ledger_public_key: bytes) -> str:
    """Verify a trace, recall or authenticity file; a one-line summary of what it proves."""
    kind = document.get("format") if isinstance(document, dict) else None
    if kind == TRACE_FORMAT:
        r = verify_trace(document, ledger_public_key)
        return (
            f"{r.events} events, {r.voided} voided, {r.links} links, {r.entries} entries "
            f"proven in tree of {r.tree_size} (answer as of {r.as_of})"
        )
    raise TraceVerificationFailed(f"unknown answer format {kind!r}", field="format")
