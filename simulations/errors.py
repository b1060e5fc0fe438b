"""One error root for the simulations, so the CLI can print any refusal in one place."""

from __future__ import annotations


class SimulationError(Exception):
    """Root of every error the simulations raise on purpose."""

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.detail}" if self.field else self.detail


class ConfigError(SimulationError):
    """A setting is out of range or inconsistent with another."""
