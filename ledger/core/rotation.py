"""A participant's own request to rotate its signing key, signed by a key it holds now.

The operator registers keys, but a participant should not need the operator's goodwill to
replace a key it suspects: it signs a rotation request with its current key, and the ledger
then writes the new key and the revocation as operator entries. The request names its time
and is honoured only within :data:`FRESHNESS` of it, so a captured request cannot be replayed
later; a replay within that window would register the same key twice, which is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from ledger.core.canonical import canonicalize
from ledger.core.errors import InvalidEvent
from ledger.core.events import format_timestamp
from ledger.core.keys import SigningKey, key_id_for, verify_signature

DOMAIN = b"threeflow/key-rotation/v1\n"
FRESHNESS = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class RotationRequest:
    participant_id: str
    key_id: str  # the current key that signs the request
    new_public_key: str  # hex
    revoke: tuple[str, ...]  # key ids to revoke once the new key is registered
    requested_at: datetime
    signature: str = ""

    def body(self) -> dict[str, Any]:
        return {
            "participant_id": self.participant_id,
            "key_id": self.key_id,
            "new_public_key": self.new_public_key,
            "revoke": list(self.revoke),
            "requested_at": format_timestamp(self.requested_at),
        }

    def message(self) -> bytes:
        return DOMAIN + canonicalize(self.body())

    @classmethod
    def signed(
        cls, key: SigningKey, participant_id: str, new_public_key: bytes, at: datetime,
        revoke: tuple[str, ...] | None = None,
    ) -> RotationRequest:  # fmt: skip
        """A request signed with ``key``, revoking ``key`` itself unless told otherwise."""
        unsigned = cls(participant_id, key.key_id, new_public_key.hex(),
                       revoke if revoke is not None else (key.key_id,), at)  # fmt: skip
        return replace(unsigned, signature=key.sign(unsigned.message()).hex())

    def check(self, signer_public_key: bytes, now: datetime) -> bytes:
        """Raise unless fresh and signed by ``signer_public_key``; return the new key."""
        if abs(now - self.requested_at) > FRESHNESS:
            raise InvalidEvent(
                f"the request must be sent within {FRESHNESS} of requested_at",
                field="requested_at",
            )
        try:
            new_key = bytes.fromhex(self.new_public_key)
            signature = bytes.fromhex(self.signature)
        except ValueError:
            raise InvalidEvent("must be hex", field="new_public_key") from None
        if len(new_key) != 32:
            raise InvalidEvent("an Ed25519 key is 32 bytes", field="new_public_key")
        if key_id_for(new_key) == self.key_id or key_id_for(new_key) in self.revoke:
            raise InvalidEvent("the new key must differ from the keys it replaces",
                               field="new_public_key")  # fmt: skip
        verify_signature(signer_public_key, self.message(), signature)
        return new_key
