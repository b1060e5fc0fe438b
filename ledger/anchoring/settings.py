"""Anchoring settings, read from ``THREEFLOW_ANCHOR_*`` once and injected.

The anchorer's private key comes from ``THREEFLOW_ANCHOR_PRIVATE_KEY`` or from the file
named by ``THREEFLOW_ANCHOR_KEY_FILE``; it is held as a ``SecretStr`` so it never shows in
a repr, a log line or a validation error.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from ledger.anchoring.errors import ChainError

#: ``rpc_url`` value meaning "web3's in-process EVM" (the demo's default, no node at all).
IN_PROCESS = "in-process"


class AnchorKeyMissing(ChainError):
    """Anchoring needs the anchorer's private key and none was configured."""

    code = "anchor_key_missing"
    status = 500


class AnchorSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="THREEFLOW_ANCHOR_", env_file=None, extra="ignore", hide_input_in_errors=True
    )

    rpc_url: str = IN_PROCESS
    chain_id: int | None = None
    contract: str | None = None
    confirmations: int = Field(default=3, ge=1)
    #: Confirmed anchors deeper than this are no longer watched for reorganisations.
    finality_depth: int = Field(default=64, ge=1)
    #: How far back to look for anchors sent by a run that stopped before recording them.
    adopt_window_blocks: int = Field(default=10_000, ge=1)
    private_key: SecretStr | None = Field(default=None, repr=False)
    key_file: Path | None = None
    every_entries: int = Field(default=1000, ge=1)
    every_seconds: float = Field(default=300.0, gt=0)
    gas: int = Field(default=200_000, ge=21_000)
    rpc_timeout: float = Field(default=10.0, gt=0)
    #: How long ``threeflow anchor --wait`` waits for the confirmations (``--timeout``).
    wait_timeout: float = Field(default=60.0, ge=0)

    def account(self) -> LocalAccount:
        """The anchorer's account, from the key in the environment or the key file."""
        if self.private_key is not None:
            secret = self.private_key.get_secret_value()
        elif self.key_file is not None:
            try:
                secret = self.key_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise AnchorKeyMissing(f"cannot read the anchor key file {self.key_file}") from exc
        else:
            raise AnchorKeyMissing(
                "set THREEFLOW_ANCHOR_PRIVATE_KEY or THREEFLOW_ANCHOR_KEY_FILE", field="private_key"
            )
        try:
            account: LocalAccount = Account.from_key(secret)
        except Exception:  # the key's text must never reach the message
            raise AnchorKeyMissing("the anchor private key is malformed") from None
        return account


@lru_cache
def get_anchor_settings() -> AnchorSettings:
    return AnchorSettings()
