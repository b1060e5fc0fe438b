"""Answers from memory (finance_api.fastpath, the proof and checkpoint caches) are the
answers the routes give: the same bytes, never stale past a checkpoint this process cut,
never for a request the route would refuse, and bodies bounded exactly as before."""

from __future__ import annotations

from typing import Any

from finance_api.snapshot import Rendered
from ledger.core.merkle.verify import verify_consistency, verify_inclusion
from tests.api.conftest import World
from tests.api.test_http import _append_orders, assert_error


def _same(first: Any, second: Any) -> None:
    assert (first.status_code, first.content) == (second.status_code, second.content)
    assert first.headers["content-type"] == second.headers["content-type"] == "application/json"


def test_a_proof_served_again_is_the_same_answer_and_still_verifies(world: World) -> None:
    _append_orders(world, 20)
    world.ledger.checkpoint()
    latest = world.client.get("/v1/checkpoints/latest").json()
    size = latest["tree_size"]
    params = {"seq": 7, "tree_size": size}
    first = world.client.get("/v1/proofs/inclusion", params=params)  # made by the route
    assert world.client.app.state.proofs.get(("inclusion", 7, size)) == first.content  # type: ignore[attr-defined]
    again = world.client.get("/v1/proofs/inclusion", params=params)  # from memory
    default = world.client.get("/v1/proofs/inclusion", params={"seq": 7})  # latest checkpoint
    _same(first, again)
    _same(first, default)
    proof = again.json()
    assert set(proof) == {"leaf_index", "tree_size", "leaf_hash", "audit_path", "root_hash"}
    assert proof["root_hash"] == latest["root_hash"]
    verify_inclusion(bytes.fromhex(proof["leaf_hash"]), 7, size,
                     [bytes.fromhex(h) for h in proof["audit_path"]],
                     bytes.fromhex(latest["root_hash"]))  # fmt: skip


def test_a_refused_proof_is_not_remembered(world: World) -> None:
    world.ledger.checkpoint()
    size = world.ledger.size()
    for _ in range(2):
        refused = world.client.get("/v1/proofs/inclusion", params={"seq": size})
        assert_error(refused, 422, "seq")
    _append_orders(world, 5)
    world.ledger.checkpoint()  # the entry is in the new tree: now it is proved
    assert world.client.get("/v1/proofs/inclusion", params={"seq": size}).status_code == 200
    odd = world.client.get("/v1/proofs/inclusion", params={"seq": "-1", "tree_size": "3"})
    assert_error(odd, 422, "seq")  # not the plain form: the route decides, as before


def test_a_consistency_proof_from_memory_is_the_routes_answer(world: World) -> None:
    _append_orders(world, 20)
    world.ledger.checkpoint()
    latest = world.client.get("/v1/checkpoints/latest").json()
    size = latest["tree_size"]
    fast = world.client.get(f"/v1/proofs/consistency?first=3&second={size}")  # plain form
    state: Any = world.client.app.state  # type: ignore[attr-defined]
    assert state.proofs.get(("consistency", 3, size)) == fast.content
    state.proofs = Rendered()  # nothing remembered: the route makes it again
    routed = world.client.get(f"/v1/proofs/consistency?second={size}&first=3")  # not plain
    _same(fast, routed)
    _same(fast, world.client.get("/v1/proofs/consistency?first=3"))  # the latest checkpoint
    proof = fast.json()
    assert set(proof) == {"first", "second", "first_root", "second_root", "proof"}
    assert proof["second_root"] == latest["root_hash"]
    verify_consistency(3, size, bytes.fromhex(proof["first_root"]),
                       bytes.fromhex(latest["root_hash"]),
                       [bytes.fromhex(h) for h in proof["proof"]])  # fmt: skip


def test_a_refused_consistency_proof_goes_to_the_route_and_is_not_remembered(
    world: World,
) -> None:
    world.ledger.checkpoint()
    size = world.ledger.size()
    for query, field in (
        (f"first=0&second={size}", "first"),  # below the route's range: not the fast path's
        (f"first={size}&second={size - 1}", "first"),  # refused by the ledger
        (f"first=1&second={size + 1}", "second"),  # beyond the tree
        (f"first=01&second={size}", None),  # not the plain form: the route decides
    ):
        answer = world.client.get(f"/v1/proofs/consistency?{query}")
        if field is None:
            assert answer.status_code == 200
        else:
            assert_error(answer, 422, field)
    state: Any = world.client.app.state  # type: ignore[attr-defined]
    assert state.proofs.get(("consistency", size, size - 1)) is None


def test_the_latest_checkpoint_is_never_older_than_one_this_process_cut(world: World) -> None:
    world.ledger.checkpoint()
    first = world.client.get("/v1/checkpoints/latest")
    _same(first, world.client.get("/v1/checkpoints/latest"))
    _append_orders(world, 3)
    world.ledger.checkpoint()
    newer = world.client.get("/v1/checkpoints/latest").json()
    assert newer["tree_size"] == world.ledger.size() > first.json()["tree_size"]
    health = world.client.get("/health").json()
    assert health == {"status": "ok", "tree_size": world.ledger.size(),
                      "origin": world.ledger.origin}  # fmt: skip


def test_bodies_are_bounded_before_any_answer_from_memory(world: World) -> None:
    world.ledger.checkpoint()
    assert world.client.get("/health").status_code == 200
    huge = {"Content-Length": str(64 * 1024 * 1024)}
    for path in ("/health", "/v1/checkpoints/latest"):
        assert world.client.get(path, headers=huge).status_code == 413


def test_the_quick_pool_is_one_thread_on_sqlite_and_a_few_on_a_database_server() -> None:
    from finance_api import offload

    try:
        offload.use_database("postgresql")
        assert offload._quick[1] == offload.QUICK_THREADS_SERVER > 1
        offload.use_database("sqlite")
        assert offload._quick[1] == 1
    finally:
        offload.use_database("sqlite")
