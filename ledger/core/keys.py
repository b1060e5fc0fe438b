"""Ed25519 keys and signatures for participants and for the ledger itself.

libsodium (through PyNaCl) verifies about twice as fast as ``cryptography`` on our
machines, and verification is the hot path of both appending and auditing, so all
Ed25519 work goes through here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from nacl import exceptions as nacl_exceptions
from nacl import signing
from nacl.bindings import crypto_sign, crypto_sign_seed_keypair

from ledger.core.errors import SignatureInvalid, UnknownKey

PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64


def key_id_for(public_key: bytes) -> str:
    """A short, stable name for a public key: hex of the first 8 bytes of its SHA-256."""
    return hashlib.sha256(public_key).digest()[:8].hex()


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private Ed25519 key with its derived public key and key id.

    The libsodium key pair is derived once, when the key is built: deriving it costs
    about as much as a signature, and keys sign many events. A signature is libsodium's
    ``crypto_sign`` over the message with the pair's 64-byte secret, the call PyNaCl's
    ``SigningKey.sign`` makes, without the signed-message object it wraps the result in
    there (three copies of the message and an instance, per signature; tested equal).
    """

    seed: bytes
    _secret: bytes = field(init=False, repr=False, compare=False)
    public_key: bytes = field(init=False, repr=False, compare=False)
    key_id: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.seed) != 32:
            raise UnknownKey("an Ed25519 seed is 32 bytes", field="seed")
        public_key, secret = crypto_sign_seed_keypair(self.seed)
        object.__setattr__(self, "_secret", secret)
        object.__setattr__(self, "public_key", public_key)
        object.__setattr__(self, "key_id", key_id_for(public_key))

    def __reduce__(self) -> tuple[type[SigningKey], tuple[bytes]]:
        return (SigningKey, (self.seed,))

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(bytes(signing.SigningKey.generate()))

    @classmethod
    def from_hex(cls, text: str) -> SigningKey:
        try:
            return cls(bytes.fromhex(text.strip()))
        except ValueError as exc:
            raise UnknownKey("signing key is not hex", field="seed") from exc

    def sign(self, message: bytes) -> bytes:
        signed: bytes = crypto_sign(message, self._secret)
        return signed[:SIGNATURE_SIZE]


def parse_public_key(data: bytes | str, *, field: str = "public_key") -> bytes:
    """Accept raw bytes or hex; refuse anything that is not a 32-byte Ed25519 key."""
    if isinstance(data, str):
        try:
            data = bytes.fromhex(data)
        except ValueError as exc:
            raise UnknownKey("public key is not hex", field=field) from exc
    if len(data) != PUBLIC_KEY_SIZE:
        raise UnknownKey(f"public key must be {PUBLIC_KEY_SIZE} bytes", field=field)
    return data


def verify_signature(public_key: bytes, message: bytes, signature: bytes) -> None:
    """Raise :class:`SignatureInvalid` unless ``signature`` signs ``message``."""
    if len(signature) != SIGNATURE_SIZE:
        raise SignatureInvalid(f"signature must be {SIGNATURE_SIZE} bytes", field="signature")
    try:
        signing.VerifyKey(public_key).verify(message, signature)
    except (nacl_exceptions.BadSignatureError, nacl_exceptions.ValueError) as exc:
        raise SignatureInvalid("signature does not verify", field="signature") from exc
