"""How the receipt operations are sent and settled (depth, reorganisation window, gas), and
whether the shared registry is on at all (:class:`RegistrySettings`, from the environment)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ledger.anchoring.errors import BadChainInput


@dataclass(frozen=True, slots=True)
class ReceiptChainSettings:
    """How deep is confirmed, how long a reorganisation is watched for, gas per call."""

    confirmations: int = 3
    finality_depth: int = 64
    adopt_window_blocks: int = 10_000
    gas: int = 200_000

    def __post_init__(self) -> None:
        for name in ("confirmations", "finality_depth", "adopt_window_blocks"):
            if getattr(self, name) < 1:
                raise BadChainInput(f"{name} must be at least 1", field=name)
        if self.gas < 21_000:
            raise BadChainInput("gas must be at least 21000", field="gas")


class RegistrySettings(BaseSettings):
    """The shared receipt registry, read from ``THREEFLOW_RECEIPT_REGISTRY_*``.

    Off unless ``contract`` is set. ``keys_file`` holds the participants' chain keys
    (:mod:`finance_api.receipts_chain.keys`); ``wait_timeout`` bounds how long an act
    waits for its operation to be mined before answering 504 (resend the same signed
    event to finish it).
    """

    model_config = SettingsConfigDict(
        env_prefix="THREEFLOW_RECEIPT_REGISTRY_",
        env_file=None,
        extra="ignore",
        hide_input_in_errors=True,
    )

    rpc_url: str = "http://127.0.0.1:8545"
    contract: str | None = None
    keys_file: Path | None = None
    confirmations: int = Field(default=3, ge=1)
    gas: int = Field(default=200_000, ge=21_000)
    rpc_timeout: float = Field(default=10.0, gt=0)
    wait_timeout: float = Field(default=30.0, gt=0)

    def chain_settings(self) -> ReceiptChainSettings:
        return ReceiptChainSettings(confirmations=self.confirmations, gas=self.gas)
