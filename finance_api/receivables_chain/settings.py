"""Whether the shared receivable registry is on, from ``THREEFLOW_RECEIVABLE_REGISTRY_*``."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ReceivableRegistrySettings(BaseSettings):
    """Off unless ``contract`` is set. ``keys_file`` holds the lenders' chain keys (the same
    JSON ``{"participant-id": "0x<key>"}`` as the receipt registry's; it may be that file);
    ``wait_timeout`` bounds how long a financing waits to be mined before answering 504."""

    model_config = SettingsConfigDict(env_prefix="THREEFLOW_RECEIVABLE_REGISTRY_",
                                      env_file=None, extra="ignore",
                                      hide_input_in_errors=True)  # fmt: skip

    rpc_url: str = "http://127.0.0.1:8545"
    contract: str | None = None
    keys_file: Path | None = None
    rpc_timeout: float = Field(default=10.0, gt=0)
    wait_timeout: float = Field(default=30.0, gt=0)
