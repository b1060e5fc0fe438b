"""The participant's client: sign events, submit them, and verify what the ledger answers.

It signs with the participant's key (RFC 8785 canonical bytes, Ed25519), submits single
events or atomic batches with idempotent retries (an event keeps its id), checks the
ledger's signed append receipt, and proves inclusion against a checkpoint verified with the
pinned ledger key — remembering the checkpoint it saw, so a later one that does not extend
it is caught. It imports no web framework and no database: ``httpx`` and the pure core.
"""

from finance_api.client.client import Submitted, ThreeflowClient
from finance_api.client.errors import (
    ApiError,
    ClientError,
    NotYetCovered,
    RateLimited,
    VerificationError,
)

__all__ = [
    "ApiError",
    "ClientError",
    "NotYetCovered",
    "RateLimited",
    "Submitted",
    "ThreeflowClient",
    "VerificationError",
]
