"""Turning what agents do into signed events, in order, with deterministic ids.

An event's id is drawn when the act is decided (which may be before it is emitted: a
delivery scheduled weeks ahead), so a confirmation can name the claim it answers before
the claim is written. Ids come from one generator seeded by the simulation seed and drawn
in the engine's fixed order, so the same seed gives the same ids.

In dry mode (``sign=False``) nothing is built or signed: the dynamics run unchanged and only
the counts move, which is how scenario comparisons run fast. An ``observer`` sees every
event's type, actor and payload in both modes (tests use it to measure signals cheaply).
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ledger.core.events import Event
from simulations.agents import Agent

Observer = Callable[[str, str, str, Mapping[str, Any], datetime], None]


class Emitter:
    """Collects the events of the participant being simulated until the engine yields them."""

    __slots__ = ("_ids", "buffer", "by_flow", "by_type", "observer", "sign")

    def __init__(self, seed: int, *, sign: bool, observer: Observer | None = None) -> None:
        self._ids = random.Random(f"threeflow-sim/{seed}/event-ids")
        self.sign = sign
        self.observer = observer
        self.buffer: list[Event] = []
        self.by_type: Counter[str] = Counter()
        self.by_flow: Counter[str] = Counter()

    def new_id(self) -> str:
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def emit(
        self,
        agent: Agent,
        flow: str,
        etype: str,
        payload: Mapping[str, Any],
        when: datetime,
        subjects: tuple[str, ...] = (),
        event_id: str | None = None,
    ) -> str:
        """Record one event now; return its id."""
        event_id = event_id or self.new_id()
        self.by_type[etype] += 1
        self.by_flow[flow] += 1
        if self.observer is not None:
            self.observer(flow, etype, agent.pid, payload, when)
        if self.sign:
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
        return event_id

    def drain(self) -> list[Event]:
        out, self.buffer = self.buffer, []
        return out

    @property
    def total(self) -> int:
        return sum(self.by_flow.values())


def money(amount_minor: int) -> dict[str, Any]:
    """The one money shape: integer cents and a currency code."""
    return {"amount_minor": max(0, int(amount_minor)), "currency": "USD"}
