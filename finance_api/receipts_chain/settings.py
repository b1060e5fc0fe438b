"""How the receipt operations are sent and settled: depth, reorganisation window, gas."""

from __future__ import annotations

from dataclasses import dataclass

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
