"""The chain keys a deployment signs registry calls with, one per participant.

The registry checks ``msg.sender``: the holder pledges, the pledgee releases, the issuing
warehouse registers and cancels. A deployment therefore holds a key for each participant
that acts on receipts (custody, as a platform holds its users' keys), read from a JSON
file ``{"participant-id": "0x<private key>", ...}``. The same real party on two
deployments must use the same key there, or the registry would see two parties. Keys are
never shown: not in a repr, a log line or an error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress

from ledger.core.errors import Conflict, LedgerError


class NoChainKey(Conflict):
    """The participant has no key on the receipt registry, so it cannot act on receipts
    while the registry is on."""

    code = "no_chain_key"


class ChainKeysUnreadable(LedgerError):
    """The keys file is missing or malformed: a deployment problem."""

    code = "chain_keys_unreadable"
    status = 500


class ChainKeys:
    """Participant id → the local account that signs its registry calls."""

    def __init__(self, accounts: Mapping[str, LocalAccount]) -> None:
        self._accounts = dict(accounts)

    def __repr__(self) -> str:
        return f"ChainKeys({sorted(self._accounts)})"

    @classmethod
    def from_file(cls, path: Path) -> ChainKeys:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ChainKeysUnreadable(f"cannot read the chain keys file {path}") from exc
        if not isinstance(raw, dict):
            raise ChainKeysUnreadable(f"{path} must hold a JSON object of participant keys")
        accounts: dict[str, LocalAccount] = {}
        for participant, secret in raw.items():
            try:
                accounts[str(participant)] = Account.from_key(secret)
            except Exception:  # the key's text must never reach the message
                raise ChainKeysUnreadable(f"the key of {participant!r} is malformed") from None
        return cls(accounts)

    def signer(self, participant: str, field: str) -> LocalAccount:
        """The participant's account; :class:`NoChainKey` naming ``field`` if none."""
        account = self._accounts.get(participant)
        if account is None:
            raise NoChainKey(
                f"{participant!r} has no key on the receipt registry of this deployment",
                field=field,
            )
        return account

    def address(self, participant: str, field: str) -> ChecksumAddress:
        return self.signer(participant, field).address
