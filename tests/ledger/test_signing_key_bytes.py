"""A key's signatures and public key are PyNaCl's, byte for byte, for any seed and message."""

from __future__ import annotations

import random

from nacl import signing

from ledger.core.keys import SigningKey, verify_signature


def test_signatures_and_public_keys_are_pynacls() -> None:
    rng = random.Random(16)
    for n in range(300):
        seed = rng.randbytes(32)
        message = rng.randbytes(rng.choice((0, 1, 63, 64, 65, 1500, 70_000)) if n % 3 else n)
        key, reference = SigningKey(seed), signing.SigningKey(seed)
        assert key.public_key == bytes(reference.verify_key)
        signature = key.sign(message)
        assert signature == reference.sign(message).signature
        verify_signature(key.public_key, message, signature)
