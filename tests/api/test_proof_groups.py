"""Proofs asked at the same moment are made together from one read (finance_api.groups):
each request still gets the bytes, or the refusal, it gets when asked alone."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any

import httpx
import pytest

from finance_api.groups import Grouped
from finance_api.snapshot import Rendered
from ledger.core.errors import InvalidEvent
from tests.api.conftest import World
from tests.api.test_http import _append_orders


def test_proofs_asked_together_are_the_answers_given_alone(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _append_orders(world, 30)
    world.ledger.checkpoint()
    size = world.client.get("/v1/checkpoints/latest").json()["tree_size"]
    paths = [f"/v1/proofs/inclusion?seq={seq}&tree_size={size}" for seq in range(0, size, 3)]
    paths += [f"/v1/proofs/consistency?first={first}&second={size}" for first in (1, 7, size)]
    paths += [
        f"/v1/proofs/inclusion?seq={size}&tree_size={size}",  # refused: out of the tree
        f"/v1/proofs/inclusion?seq=2&tree_size={size + 9}",  # refused: beyond the ledger
        f"/v1/proofs/consistency?first={size}&second=3",  # refused: first above second
        "/v1/proofs/inclusion?seq=4",  # the latest checkpoint's tree
    ]
    service = world.ledger.proofs
    groups: list[int] = []
    many = service.many

    def counted(asks: Sequence[Any]) -> list[Any]:
        groups.append(len(asks))
        return many(asks)

    monkeypatch.setattr(service, "many", counted)
    state: Any = world.client.app.state  # type: ignore[attr-defined]

    async def together() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=world.client.app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await asyncio.gather(*(client.get(path) for path in paths))

    asked = asyncio.run(together())
    assert max(groups) > 1  # some were made together
    state.proofs = Rendered()  # nothing remembered: each made again, alone
    for path, response in zip(paths, asked, strict=True):
        alone = world.client.get(path)
        assert (response.status_code, response.content) == (alone.status_code, alone.content)
    assert [r.status_code for r in asked[-4:]] == [422, 422, 422, 200]


def test_each_asker_gets_its_own_answer_or_error() -> None:
    calls: list[list[int]] = []
    release = threading.Event()

    def work(items: Sequence[int]) -> list[int | Exception]:
        release.wait(5)  # the first group holds the thread while the rest queue up
        calls.append(list(items))
        if 13 in items:
            raise RuntimeError("the database went away")
        return [InvalidEvent("odd", field="n") if n % 2 else n * 10 for n in items]

    grouped: Grouped[int, int] = Grouped(work)

    async def ask_all(numbers: list[int]) -> list[Any]:
        tasks = [asyncio.ensure_future(grouped.ask(numbers[0]))]
        await asyncio.sleep(0.05)  # the thread took the first alone and holds it
        tasks += [asyncio.ensure_future(grouped.ask(n)) for n in numbers[1:]]
        await asyncio.sleep(0.05)
        release.set()
        return await asyncio.gather(*tasks, return_exceptions=True)

    answers = asyncio.run(ask_all([0, 1, 2, 3, 4]))
    assert answers[0::2] == [0, 20, 40]
    assert [(type(a), str(a)) for a in answers[1::2]] == [(InvalidEvent, "odd")] * 2
    assert calls == [[0], [1, 2, 3, 4]]  # one thread on SQLite: the rest waited together
    calls.clear()
    release.clear()
    failed = asyncio.run(ask_all([2, 13, 4]))
    assert calls == [[2], [13, 4]]
    assert failed[0] == 20
    assert all(isinstance(a, RuntimeError) for a in failed[1:])  # the whole group's error
