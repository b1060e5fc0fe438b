"""The background anchoring loop the API runs: every N entries or T seconds.

Each tick settles what was sent (:meth:`AnchorService.poll`) and, when N entries were
appended or T seconds passed since the last anchor, cuts a checkpoint and anchors it. A
failure — the node down, the database locked, a refusal — is logged and the tick ends; the
next tick tries again, so a failure delays anchoring and loses nothing. (A failure that
escaped a tick would end the thread, and anchoring with it, without a word.)
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.exc import SQLAlchemyError

from ledger.anchoring.errors import ChainError
from ledger.anchoring.service import AnchorService, PollResult
from ledger.anchoring.store import highest_live_size
from ledger.core.errors import LedgerError

log = logging.getLogger(__name__)


class AnchorLoop:
    """One tick at a time; :meth:`run` repeats ticks until ``stop`` is set."""

    def __init__(
        self,
        service: AnchorService,
        *,
        every_entries: int | None = None,
        every_seconds: float | None = None,
        tick_seconds: float = 1.0,
    ) -> None:
        self.service = service
        self.every_entries = every_entries or service.settings.every_entries
        self.every_seconds = every_seconds or service.settings.every_seconds
        self.tick_seconds = tick_seconds
        self._last_anchor_at = service.ledger.clock.now()

    def due(self) -> bool:
        """Whether N entries or T seconds have passed since the last anchor."""
        ledger = self.service.ledger
        with ledger.reading() as connection:
            anchored = highest_live_size(connection, self.service.client.address)
        size = ledger.size()
        if size <= anchored:
            return False
        elapsed = (ledger.clock.now() - self._last_anchor_at).total_seconds()
        return size - anchored >= self.every_entries or elapsed >= self.every_seconds

    def tick(self) -> PollResult | None:
        """Polls, then anchors if due; returns None when the chain failed this tick."""
        try:
            result = self.service.poll()
            if self.due():
                self.service.ledger.checkpoint()
                if self.service.anchor_latest() is not None:
                    self._last_anchor_at = self.service.ledger.clock.now()
            return result
        except ChainError as exc:
            log.warning("anchoring delayed: %s", exc)
            return None
        except (LedgerError, SQLAlchemyError) as exc:
            log.error("anchoring tick failed, trying again next tick: %s", exc)
            return None

    def run(self, stop: threading.Event) -> None:
        """Ticks every ``tick_seconds`` until ``stop`` is set (run it in a thread)."""
        while not stop.is_set():
            self.tick()
            stop.wait(self.tick_seconds)


def start_anchor_loop(loop: AnchorLoop) -> tuple[threading.Thread, threading.Event]:
    """Starts ``loop`` in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,), name="anchor-loop", daemon=True)
    thread.start()
    return thread, stop
