"""Application factory for uvicorn (``--factory``), reading settings from the environment."""

from __future__ import annotations

from fastapi import FastAPI

from finance_api.app import create_app
from ledger.service import open_from_settings


def create_from_settings() -> FastAPI:
    return create_app(open_from_settings(), close_ledger=True)
