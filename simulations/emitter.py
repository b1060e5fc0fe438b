"""Turning what agents do into signed events, in order, with deterministic ids.

In dry mode (``sign=False``) nothing is built or signed: the dynamics run unchanged and only
the counts move, which is how scenario comparisons run fast.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ledger.core.events import Event
from simulations.agents import Agent


class Emitter:
    """Collects the events of the participant being simulated until the engine yields them."""

    __slots__ = ("_ids", "buffer", "by_flow", "by_type", "sign")

    def __init__(self, seed: int, *, sign: bool) -> None:
        self._ids = random.Random(f"threeflow-sim/{seed}/event-ids")
        self.sign = sign
        self.buffer: list[Event] = []
        self.by_type: Counter[str] = Counter()
        self.by_flow: Counter[str] = Counter()

    def emit(
        self,
        agent: Agent,
        flow: str,
        etype: str,
        payload: Mapping[str, Any],
        when: datetime,
        subjects: tuple[str, ...] = (),
    ) -> None:
        self.by_type[etype] += 1
        self.by_flow[flow] += 1
        if not self.sign:
            return
        event_id = str(uuid.UUID(int=self._ids.getrandbits(128), version=4))
        self.buffer.append(
            agent.signer.event(
                event_id=event_id,
                flow=flow,
                type=etype,
                payload=payload,
                occurred_at=when,
                subjects=subjects,
            )
        )

    def drain(self) -> list[Event]:
        out, self.buffer = self.buffer, []
        return out

    @property
    def total(self) -> int:
        return sum(self.by_flow.values())


def money(amount_minor: int) -> dict[str, Any]:
    """The one money shape: integer cents and a currency code."""
    return {"amount_minor": max(0, int(amount_minor)), "currency": "USD"}
