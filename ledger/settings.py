"""Settings, read once from the environment (prefix ``THREEFLOW_``) and injected."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="THREEFLOW_", env_file=None, extra="ignore")

    db_url: str = "sqlite:///var/threeflow.db"
    ledger_key_file: Path = Path("var/ledger.key")
    origin: str | None = None
    checkpoint_every_entries: int = Field(default=1000, ge=1)
    checkpoint_every_seconds: float = Field(default=60.0, gt=0)
    signature_threads: int = Field(default=2, ge=1)


@lru_cache
def get_settings() -> Settings:
    return Settings()
