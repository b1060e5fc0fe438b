"""``ThreeflowClient``: build, sign, submit and prove events as one participant.

Retries are safe because an event keeps its id: resubmitting it returns the entry already
written (HTTP 200) instead of a second one. Only transport failures, 5xx and 429 are
retried, with exponential backoff (429 waits at least its Retry-After). Everything the
ledger signs — append receipts, checkpoints — is verified with the pinned ledger key before
it is returned; the newest verified checkpoint is kept, and a later checkpoint must be
proven consistent with it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from finance_api.client.errors import (
    ApiError,
    NotFound,
    NotYetCovered,
    RateLimited,
    Unavailable,
    VerificationError,
    api_error,
)
from ledger.core.append_receipt import AppendReceipt
from ledger.core.checkpoint import Checkpoint, NoteVerifier, SignedCheckpoint
from ledger.core.errors import LedgerError
from ledger.core.events import Event
from ledger.core.keys import SigningKey
from ledger.core.merkle.verify import verify_consistency, verify_inclusion
from ledger.core.rotation import RotationRequest

RETRIED = (500, 502, 503, 504)
_PARALLEL_FROM = 64  # receipts of a batch this large are verified on two threads
_PART = 128


_JSON = {"Content-Type": "application/json"}


def _wire(event: Event) -> bytes:
    """The event's wire JSON (its body and ``signature``) from its canonical bytes.

    The canonical bytes are the JSON object of the body (RFC 8785, never empty): the
    signature goes in before its closing brace. The server reads the same fields as from
    :meth:`Event.to_json` (their order is no part of the body), without the client parsing
    its own bytes back and encoding them again for every event of a batch.
    """
    return event.canonical[:-1] + b',"signature":"' + event.signature.hex().encode() + b'"}'


@dataclass(frozen=True, slots=True)
class Submitted:
    """An event the ledger accepted, with its verified receipt."""

    event: Event
    seq: int
    leaf_hash: bytes
    replayed: bool
    receipt: AppendReceipt


class ThreeflowClient:
    def __init__(
        self,
        server: str,
        *,
        participant_id: str,
        signing_key: SigningKey,
        api_key: str | None,
        ledger_key: bytes,
        origin: str | None = None,
        http: httpx.Client | None = None,
        attempts: int = 5,
        backoff: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.participant_id = participant_id
        self.key = signing_key
        self.ledger_key = ledger_key
        self.origin = origin
        self._http = http or httpx.Client(base_url=server, timeout=30.0)
        self._headers = {"X-API-Key": api_key} if api_key else {}
        self._attempts = attempts
        self._backoff = backoff
        self._sleep = sleep
        self._clock = clock
        self.seen: Checkpoint | None = None  # the newest checkpoint verified so far
        self._pool: ThreadPoolExecutor | None = None  # made for the first large batch

    def close(self) -> None:
        self._http.close()
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

    def __enter__(self) -> ThreeflowClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- HTTP with retries --------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        parse: Callable[[bytes], Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        delay = self._backoff
        sent = {**self._headers, **headers} if headers else self._headers
        for attempt in range(1, self._attempts + 1):
            try:
                response = self._http.request(method, path, headers=sent, **kwargs)
            except httpx.TransportError as exc:
                if attempt == self._attempts:
                    raise Unavailable(f"{method} {path}: {exc}") from exc
                self._sleep(delay)
                delay *= 2
                continue
            if response.status_code < 400:
                return response.json() if parse is None else parse(response.content)
            try:
                body = response.json()
            except ValueError:
                body = {"detail": response.text[:500]}
            error = api_error(response.status_code, body, response.headers.get("Retry-After"))
            retryable = isinstance(error, RateLimited) or response.status_code in RETRIED
            if not retryable or attempt == self._attempts:
                if response.status_code >= 500:
                    raise Unavailable(str(error)) from error
                raise error
            self._sleep(max(delay, error.retry_after if isinstance(error, RateLimited) else 0))
            delay *= 2
        raise Unavailable(f"{method} {path}: no attempts")  # pragma: no cover

    # -- events -------------------------------------------------------------------------
    def event(
        self,
        flow: str,
        type: str,
        payload: Mapping[str, Any],
        *,
        subjects: Sequence[str] = (),
        occurred_at: datetime | None = None,
        event_id: str | None = None,
    ) -> Event:
        """An event signed by this participant (canonical RFC 8785 bytes, Ed25519)."""
        return Event.create(
            self.key, flow=flow, type=type, actor=self.participant_id, payload=payload,
            occurred_at=occurred_at or self._clock(), subjects=list(subjects),
            event_id=event_id or str(uuid.uuid4()),
        )  # fmt: skip

    def submit(self, events: Event | Sequence[Event]) -> list[Submitted]:
        """Append one event or an atomic batch; every receipt is verified before returning."""
        batch = [events] if isinstance(events, Event) else list(events)
        wire = [_wire(event) for event in batch]
        data = wire[0] if len(batch) == 1 else b'{"events":[' + b",".join(wire) + b"]}"
        answer = self._call("POST", "/v1/events", content=data, headers=_JSON, parse=orjson.loads)
        shown = answer.get("entries", [answer])
        if len(shown) != len(batch):
            raise VerificationError(f"{len(batch)} events sent, {len(shown)} entries answered")
        pairs = list(zip(batch, shown, strict=True))
        if len(pairs) < _PARALLEL_FROM:
            return self._submitted_all(pairs)
        # Receipts checked on two threads (libsodium verifies without the GIL), in parts
        # taken in order: the first receipt that fails is the one reported, as in a loop.
        parts = [pairs[start : start + _PART] for start in range(0, len(pairs), _PART)]
        return [done for part in self._verifiers().map(self._submitted_all, parts) for done in part]

    def _verifiers(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(2, thread_name_prefix="receipts")
        return self._pool

    def _submitted_all(self, pairs: Sequence[tuple[Event, Mapping[str, Any]]]) -> list[Submitted]:
        return [self._submitted(event, entry) for event, entry in pairs]

    def _submitted(self, event: Event, entry: Mapping[str, Any]) -> Submitted:
        try:
            receipt = AppendReceipt.from_json(dict(entry["receipt"])).verify(self.ledger_key)
        except (KeyError, TypeError, LedgerError) as exc:
            raise VerificationError(f"the append receipt does not verify: {exc}") from None
        if receipt.event_id != event.id or receipt.seq != entry.get("seq"):
            raise VerificationError("the receipt is for another entry")
        if self.origin is not None and receipt.origin != self.origin:
            raise VerificationError("the receipt is from another ledger")
        return Submitted(event, receipt.seq, bytes.fromhex(receipt.leaf_hash),
                         bool(entry.get("replayed", False)), receipt)  # fmt: skip

    # -- checkpoints and proofs -----------------------------------------------------------
    def checkpoint(self, tree_size: int | None = None) -> Checkpoint:
        """The latest (or a given) checkpoint, verified with the pinned key and proven
        consistent with every checkpoint this client saw before."""
        path = "/v1/checkpoints/latest" if tree_size is None else f"/v1/checkpoints/{tree_size}"
        try:
            answer = self._call("GET", path)
        except NotFound as exc:
            raise NotYetCovered(f"no checkpoint is signed yet ({exc.detail})") from None
        try:
            signed = SignedCheckpoint.parse(answer["note"])
            origin = self.origin or signed.checkpoint.origin
            head = signed.verify(NoteVerifier.for_key(origin, self.ledger_key), origin=origin)
        except (KeyError, LedgerError) as exc:
            raise VerificationError(f"the checkpoint does not verify: {exc}") from None
        self.origin = head.origin
        self._extend(head)
        return head

    def _extend(self, head: Checkpoint) -> None:
        seen = self.seen
        if seen is None or head.tree_size == seen.tree_size:
            if seen is not None and head.root_hash != seen.root_hash:
                raise VerificationError(f"two different roots signed at size {head.tree_size}")
            self.seen = head if seen is None else seen
            return
        first, second = (seen, head) if seen.tree_size < head.tree_size else (head, seen)
        answer = self._call(
            "GET", "/v1/proofs/consistency",
            params={"first": first.tree_size, "second": second.tree_size},
        )  # fmt: skip
        try:
            verify_consistency(
                first.tree_size, second.tree_size, first.root_hash, second.root_hash,
                [bytes.fromhex(h) for h in answer["proof"]],
            )  # fmt: skip
        except (KeyError, ValueError, LedgerError) as exc:
            raise VerificationError(
                f"checkpoint {head.tree_size} is not consistent with {seen.tree_size}: {exc}"
            ) from None
        self.seen = second

    def prove(self, seq: int, leaf_hash: bytes) -> Checkpoint:
        """Prove entry ``seq`` (with the leaf hash its receipt gave) is in the ledger.

        Returns the verified checkpoint it is proven against, or raises
        :class:`NotYetCovered` when no signed checkpoint covers it yet.
        """
        head = self.checkpoint()
        if seq >= head.tree_size:
            raise NotYetCovered(f"the latest checkpoint covers {head.tree_size} entries")
        answer = self._call(
            "GET", "/v1/proofs/inclusion", params={"seq": seq, "tree_size": head.tree_size}
        )
        try:
            path = [bytes.fromhex(h) for h in answer["audit_path"]]
            verify_inclusion(leaf_hash, seq, head.tree_size, path, head.root_hash)
        except (KeyError, ValueError, LedgerError) as exc:
            raise VerificationError(f"entry {seq} is not proven in the checkpoint: {exc}") from None
        return head

    # -- keys ---------------------------------------------------------------------------
    def rotate_key(self, new_key: SigningKey) -> list[dict[str, Any]]:
        """Register ``new_key`` and revoke the current one, by a request the current signs."""
        request = RotationRequest.signed(
            self.key, self.participant_id, new_key.public_key, self._clock()
        )
        answer = self._call(
            "POST", "/v1/keys/rotate",
            json={**request.body(), "signature": request.signature},
        )  # fmt: skip
        self.key = new_key
        entries: list[dict[str, Any]] = answer["entries"]
        return entries


__all__ = ["ApiError", "Submitted", "ThreeflowClient"]
