"""Webhook payload signatures: HMAC-SHA256 over the timestamp and the exact body bytes.

A lender checks ``X-Threeflow-Signature: v1=<hex>`` against ``HMAC(secret, timestamp + "."
+ body)`` with its secret and rejects a timestamp far from its clock (replays). The scheme is
the one payment platforms use for their webhooks; the body is canonical JSON, so a resend
of the same alert carries the same bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

SCHEME = "v1"


def body_bytes(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SCHEME}={mac.hexdigest()}"


def verify(secret: str, timestamp: int, body: bytes, header: str) -> bool:
    """Whether ``header`` signs ``body`` at ``timestamp`` (constant-time comparison)."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def backoff_seconds(attempts: int, base: float = 2.0, cap: float = 3600.0) -> float:
    """The wait before the next try after ``attempts`` failures: base x 2^(attempts-1), capped."""
    return min(cap, base * 2.0 ** max(0, attempts - 1))
