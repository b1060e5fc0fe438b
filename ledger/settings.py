"""Settings, read once from the environment (prefix ``THREEFLOW_``) and injected."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from ledger.log import Ledger


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="THREEFLOW_", env_file=None, extra="ignore")

    db_url: str = "sqlite:///var/threeflow.db"
    ledger_key_file: Path = Path("var/ledger.key")
    origin: str | None = None
    checkpoint_every_entries: int = Field(default=1000, ge=1)
    checkpoint_every_seconds: float = Field(default=60.0, gt=0)
    signature_threads: int = Field(default=2, ge=1)
    rate_per_second: float = Field(default=100.0, gt=0, description="requests a second per key")
    rate_burst: int = Field(default=200, ge=1)


@lru_cache
def get_settings() -> Settings:
    return Settings()


def open_from_settings(read_only: bool = False) -> Ledger:
    """The ledger the settings name (the server's factory opens it this way)."""
    from ledger.checkpoints import CheckpointPolicy
    from ledger.log import Ledger

    settings = get_settings()
    return Ledger.open(
        settings.db_url,
        key_file=settings.ledger_key_file,
        origin=settings.origin,
        read_only=read_only,
        policy=CheckpointPolicy(
            settings.checkpoint_every_entries, settings.checkpoint_every_seconds
        ),
        signature_threads=min(settings.signature_threads, os.cpu_count() or 1),
    )
