"""A batch's signature checks: on the pool's threads for a large batch, by re-signing where
the appender holds the signing key.

Verifying an Ed25519 signature costs about 50 µs; making one about 20. A writer that holds
the private keys its events were signed with (a simulation appending the events its own
agents signed, from keys derived from its seed) can prove each signature by making it
again: Ed25519 signing is deterministic, so a signature equal byte for byte to the one the
key makes over the same bytes is that signature, and a signature the key makes verifies
under its public key (the reasoning of ``Sequencer.prepare_signed``). The shortcut is taken
only when the signer's public key is the key the ledger knows for the event's key id; a
signature that differs (made by anyone else, or altered) is verified as before, so every
verdict and error is the one a verification gives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ledger.core.errors import LedgerError
from ledger.core.events import Event
from ledger.core.keys import SigningKey, verify_signature
from ledger.storage.batches import SignatureChecks, in_batch

PARALLEL_FROM = 64  # a batch this large is checked on the pool's threads
_PARTS = 4

Signers = Mapping[str, SigningKey]  # signing keys by the key id of their public key


def check_signature(public_key: bytes, event: Event, signer: SigningKey | None) -> None:
    """Raise as :func:`verify_signature` unless ``event``'s signature is the one ``signer``
    (holding ``public_key``) makes over its bytes."""
    if (
        signer is not None
        and signer.public_key == public_key
        and signer.sign(event.canonical) == event.signature
    ):
        return
    verify_signature(public_key, event.canonical, event.signature)


def check_batch(
    events: Sequence[Event],
    keys: dict[str, bytes],
    where: Any,
    pool: ThreadPoolExecutor | None,
    signers: Signers | None = None,
) -> SignatureChecks:
    """Check each signature whose key is known here: on the pool for a large batch
    (returned running), else at once, raising for the first that does not verify.

    An event whose key is unknown here is left for the write, which reports an unknown key
    with its actor, or checks the signature once the key exists.
    """
    mine = signers or {}

    def check(part: range) -> tuple[int, LedgerError] | None:
        for i in part:
            event = events[i]
            public_key = keys.get(event.key_id)
            if public_key is None:
                continue
            try:
                check_signature(public_key, event, mine.get(event.key_id))
            except LedgerError as exc:
                return i, exc
        return None

    count = len(events)
    if pool is not None and count >= PARALLEL_FROM:
        step = -(-count // _PARTS)
        parts = [range(start, min(start + step, count)) for start in range(0, count, step)]
        return SignatureChecks([pool.submit(check, part) for part in parts], where)
    found = check(range(count))
    if found is not None:
        i, error = found
        raise in_batch(where(i), error)
    return SignatureChecks([], where)
