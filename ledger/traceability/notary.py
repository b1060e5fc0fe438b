"""The capture notary: the participant that signs captured EPCIS events on the ledger.

The HTTP API holds no participant's private key, so an EPCIS event captured over HTTP or
the CLI cannot be signed by the participant who sent it. It is notarised instead: the
participant ``epcis-notary`` signs an ``epcis.captured`` entry whose payload and subjects
name the capturing participant (``captured_by``). The notary's key is derived from the
ledger key (no second secret to store) and registered by an operator-signed
``participant.key_added`` entry — in the same unit of work as the first capture — so an
offline verifier that pins the ledger key learns the notary key from the log itself. Its
validity starts at the epoch: EPCIS events may be captured long after they happened.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import select

from ledger.core.keybook import Registration
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from ledger.storage.models import ParticipantKey
from ledger.storage.unit_of_work import UnitOfWork
from ledger.traceability.question import NOTARY

__all__ = ["NOTARY", "ensure_notary", "notary_key"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DERIVATION = b"threeflow/epcis-notary/v1\x00"


def notary_key(ledger_key: SigningKey) -> SigningKey:
    return SigningKey(hashlib.sha256(_DERIVATION + ledger_key.seed).digest())


def ensure_notary(ledger: Ledger, uow: UnitOfWork) -> SigningKey:
    """The notary key, registered in ``uow`` (which holds the lock) if it is not yet."""
    key = notary_key(ledger.key)
    found = uow.connection.execute(
        select(ParticipantKey.key_id).where(ParticipantKey.key_id == key.key_id)
    ).first()
    if found is None:
        registration = Registration(
            NOTARY, "EPCIS capture notary", ("platform",), None, key.public_key, EPOCH
        )
        uow.append(ledger.operator.registration(registration), operator=True)
    return key
