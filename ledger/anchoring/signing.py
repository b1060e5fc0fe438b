"""Signing a transaction that must not repeat one already sent, and failures in a phrase.

Kept apart from :mod:`ledger.anchoring.chain` so that module stays the node's narrow door.
"""

from __future__ import annotations

import re
from typing import Any

from eth_account.signers.local import LocalAccount

from ledger.anchoring.errors import TransactionRejected

_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


def why(exc: BaseException) -> str:
    """The root reason of a connection failure ("Connection refused"), not urllib3's prose."""
    text = str(exc)
    found = _ERRNO.search(text)
    if found is not None:
        return found.group(1).strip()
    if "timed out" in text.lower():
        return "timed out"
    return text if len(text) <= 200 else text[:200] + "…"


_FEES = ("maxFeePerGas", "maxPriorityFeePerGas", "gasPrice")


def signed_anew(sender: LocalAccount, tx: dict[str, Any], avoid: frozenset[bytes]) -> bytes:
    """``tx`` signed, its fees raised by one wei at a time until its hash is not in ``avoid``.

    Each raise makes another transaction, so ``len(avoid) + 1`` tries always find one.
    """
    for _ in range(len(avoid) + 1):
        signed = sender.sign_transaction(tx)
        if bytes(signed.hash) not in avoid:
            return bytes(signed.raw_transaction)
        for fee in _FEES:
            if fee in tx:
                tx[fee] = int(tx[fee]) + 1
    raise TransactionRejected("every fee tried gives a transaction already sent")
