"""A batch between its checks and its write: what the sequencer hands from one to the other.

:class:`Prepared` is a batch whose rules, schemas and known-key signatures were checked
(outside the lock); :class:`SignatureChecks` the checks of a large batch still running on
the signature threads while it is written; :class:`Written` what one write did. Errors
name an event by its place in the batch (:func:`in_batch`).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from ledger.core.entry import Appended
from ledger.core.errors import LedgerError
from ledger.core.events import Event
from ledger.storage.head import Tip

MAX_BATCH = 10_000


def in_batch(position: int | None, error: LedgerError) -> LedgerError:
    """Prefix an error's field with the event's place in the batch."""
    if position is not None:
        error.field = f"events[{position}]" + (f".{error.field}" if error.field else "")
        error.detail = f"events[{position}]: {error.detail}"
        error.args = (error.detail,)
    return error


@dataclass(frozen=True, slots=True)
class Prepared:
    """A batch whose shapes, schemas and (known-key) signatures have been checked.

    ``proven`` maps (canonical bytes, signature) to the public key that verified them.
    Only :meth:`Sequencer.prepare` builds one; the write trusts exactly what it proved.
    """

    events: tuple[Event, ...]
    operator: bool
    proven: dict[tuple[bytes, bytes], bytes] = field(repr=False)

    def only(self, event_ids: set[str]) -> Prepared:
        """The events of this batch whose ids are in ``event_ids``, still proven."""
        return Prepared(
            tuple(e for e in self.events if e.id in event_ids), self.operator, self.proven
        )


class SignatureChecks:
    """The signature checks of one batch, running on the pool's threads (or done).

    ``Sequencer.start`` is ``Sequencer.prepare`` with the signature checks of a large batch
    left running on the pool: ``Ledger.append_batch`` writes the batch meanwhile, under the
    lock, and commits only once every signature verified (a bad one is reported first, as
    by ``prepare``). The lock is then held while the signatures are checked, if the write
    finishes first; the checks and the writing share the two cores instead of taking turns.

    :meth:`failure` waits for every part and names the first event, in batch order, whose
    signature does not verify: the error :meth:`Sequencer.prepare` raises for that batch.
    """

    def __init__(self, parts: Sequence[Future[tuple[int, LedgerError] | None]], where: Any):
        self._parts = parts
        self._where = where
        self._failure: LedgerError | None = None
        self._settled = not parts

    def failure(self) -> LedgerError | None:
        if not self._settled:
            found = [part.result() for part in self._parts]
            failures = [failed for failed in found if failed is not None]
            if failures:
                i, error = failures[0]  # parts are in order, so this is the first bad event
                self._failure = in_batch(self._where(i), error)
            self._settled = True
        return self._failure

    def settle(self) -> None:
        """Wait for the checks; raise the first bad signature's error."""
        failure = self.failure()
        if failure is not None:
            raise failure


@dataclass(frozen=True, slots=True)
class Written:
    """What one write did: the entries (new or replayed) and the new tip."""

    entries: list[Appended]
    tip: Tip
