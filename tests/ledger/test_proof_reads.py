"""How proofs are read: one round trip when the tree is given, kept connections that never
hold a transaction and are replaced when broken, and caches that never change an answer.

The caches (upper-level subtree hashes, roots by tree size, statement texts) are only
safe because what they hold never changes; these tests hold a warm service to the answers
of a cold one and of the oracle, also while the tree grows under it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from finance_api import demo_scenario
from ledger import proofs
from ledger.core.errors import InvalidEvent, LedgerError
from ledger.core.merkle.cache import NodeCache
from ledger.core.merkle.verify import verify_consistency, verify_inclusion
from ledger.log import Ledger
from ledger.proofs import Ask, ProofService
from ledger.storage import nodes
from ledger.storage.db import make_engines
from ledger.storage.nodes import KeptReads, _arrays, _statement
from tests.ledger import oracle
from tests.ledger.rewrite import Raw
from tests.ledger.scenario import Base, batched, open_ledger


@pytest.fixture
def reader(base: Base) -> Iterator[Ledger]:
    with Ledger.open(base.url, read_only=True) as opened:
        yield opened


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the driver-level readers send, in order."""
    sent: list[str] = []
    original = nodes._Cursor.exec_driver_sql

    def counted(self: Any, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        sent.append(sql)
        return original(self, sql, params)

    monkeypatch.setattr(nodes._Cursor, "exec_driver_sql", counted)
    return sent


def test_a_proof_in_a_given_tree_is_one_round_trip(
    reader: Ledger, base: Base, statements: list[str]
) -> None:
    size = base.size
    for _ in range(2):  # cold caches, then warm
        for seq, tree in ((0, size), (size - 1, size), (5, 100), (64, 65)):
            statements.clear()
            reader.inclusion_proof(seq, tree)
            assert len(statements) == 1, (seq, tree)
        for first, second in ((1, size), (65, 100), (size, size)):
            statements.clear()
            reader.consistency_proof(first, second)
            assert len(statements) == 1, (first, second)
    statements.clear()
    reader.inclusion_proof(3)  # the head's size first, to know which tree to plan
    assert len(statements) == 2


def test_a_warm_service_answers_as_a_cold_one(reader: Ledger, base: Base) -> None:
    rng = random.Random(5)
    asked = [(rng.randrange(n), n) for n in (rng.randint(1, base.size) for _ in range(40))]
    asked += [(i, base.size) for i in range(0, base.size, 7)]
    firsts = [rng.randint(1, base.size) for _ in range(20)]
    warm = reader.proofs
    for index, size in asked:
        warm.inclusion(index, size)
    for first in firsts:
        warm.consistency(first, base.size)
    assert len(warm.cache) > 0
    cold = ProofService(reader.engines.read, NodeCache(from_level=10**6))  # keeps no node
    try:
        for index, size in asked:
            assert warm.inclusion(index, size) == cold.inclusion(index, size), (index, size)
        for first in firsts:
            assert warm.consistency(first, base.size) == cold.consistency(first, base.size)
        assert len(cold.cache) == 0
    finally:
        cold.close()


def test_proofs_stay_right_while_the_tree_grows(registered_url: str) -> None:
    with open_ledger(registered_url) as ledger:
        sizes = [ledger.size()]
        for chunk in batched(demo_scenario.events(orders=4), 7):  # odd sizes: ragged borders
            ledger.append_batch(chunk)
            size = ledger.size()
            with Raw(registered_url) as raw:
                leaves = [
                    oracle.leaf_of(r.format, r.canonical, r.signature, r.recorded_at)
                    for r in raw.entries()
                ]
            root = oracle.mth(leaves[:size])
            for seq in {0, size // 3, size - 2, size - 1}:
                proof = ledger.inclusion_proof(seq, size)
                assert (proof.leaf_hash, proof.root_hash) == (leaves[seq], root)
                verify_inclusion(leaves[seq], seq, size, proof.audit_path, root)
            for first in sizes:  # every earlier tree is a prefix of this one
                consistency = ledger.consistency_proof(first, size)
                first_root = oracle.mth(leaves[:first])
                assert (consistency.first_root, consistency.second_root) == (first_root, root)
                verify_consistency(first, size, first_root, root, consistency.proof)
            sizes.append(size)
        assert len(sizes) > 4


def _in_transaction(connection: Any) -> bool:
    driver = connection.dbapi_connection
    if isinstance(driver, psycopg.Connection):
        return bool(driver.info.transaction_status != psycopg.pq.TransactionStatus.IDLE)
    return bool(driver.in_transaction)


def test_kept_connections_hold_no_transaction_and_a_broken_one_is_replaced(base: Base) -> None:
    engines = make_engines(base.url)
    reads = KeptReads(engines.read)
    try:
        with reads.cursor() as cursor:
            assert cursor.tree_size() == base.size
        [kept] = reads._idle
        assert not _in_transaction(kept[0])  # autocommit: no snapshot held between reads
        with pytest.raises(InvalidEvent), reads.cursor():  # not the driver's error: kept
            raise InvalidEvent("refused", field="seq")
        assert reads._idle == [kept]
        kept[0].dbapi_connection.close()  # the server went away, say
        with pytest.raises(engines.read.dialect.loaded_dbapi.Error), reads.cursor() as cursor:
            cursor.tree_size()
        assert reads._idle == []  # never used again
        with reads.cursor() as cursor:
            assert cursor.tree_size() == base.size  # a new one
        assert len(reads._idle) == 1
    finally:
        reads.close()
        assert reads._idle == []
        engines.dispose()


def test_statement_texts_depend_on_the_levels_only() -> None:
    sql, params = _statement([(0, 5), (2, 1), (0, 9), (1, 3)], "?", True)
    again, other = _statement([(0, 7), (2, 4), (0, 2), (1, 0)], "?", True)
    assert sql == again  # the same text, so the driver's compiled statement serves both
    assert (params, other) == ((5, 9, 1, 3), (7, 2, 4, 0))
    assert "seq IN (?, ?)" in sql
    assert "level = 2 AND idx IN (?)" in sql
    assert sql.endswith("FROM ledger_head WHERE id = 1")
    assert _statement([(1, 3)], "%s", False) == (
        "SELECT level, idx, hash FROM merkle_nodes WHERE (level = 1 AND idx IN (%s))",
        (3,),
    )


def test_postgresql_reads_every_shape_with_one_text() -> None:
    sql, params = _arrays([(0, 5), (2, 1), (0, 9), (1, 3)], True)
    assert params == ("{5,9}", "{2,1}", "{1,3}")  # text literals, cast in the statement
    assert _arrays([(3, 0)], True) == (sql, ("{}", "{3}", "{0}"))
    assert _arrays([(3, 0)], False)[0] == sql.removesuffix(" UNION ALL " + nodes._HEAD_ROW)


def _outcome(call: Any) -> Any:
    """What one proof request gives: the proof, or the refusal as (type, message, field)."""
    try:
        return call()
    except LedgerError as refused:
        return type(refused), str(refused), getattr(refused, "field", None)


def _as_outcome(answer: Any) -> Any:
    if isinstance(answer, LedgerError):
        return type(answer), str(answer), getattr(answer, "field", None)
    return answer


def _asks(size: int) -> list[Ask]:
    """Proofs and refusals of every kind: refused before any node is read (out of the
    tree, first above second), and refused by the head read with the nodes (a tree larger
    than the ledger), among proofs of the head's tree and of earlier ones."""
    return [
        ("inclusion", 0, size),
        ("inclusion", size - 1, size),
        ("inclusion", size, size),  # seq out of the tree
        ("inclusion", 3, size + 5),  # a tree the ledger has not reached
        ("inclusion", 5, 9),
        ("consistency", 1, size),
        ("consistency", 7, 9),
        ("consistency", 0, size),  # first out of range
        ("consistency", 4, 3),  # first above second
        ("consistency", 2, size + 1),  # second beyond the ledger
        ("inclusion", 5, 9),  # asked twice in one group
    ]


def test_a_group_of_proofs_is_each_ones_answer_from_one_read(
    reader: Ledger, base: Base, statements: list[str]
) -> None:
    asks = _asks(base.size)
    single = ProofService(reader.engines.read, NodeCache(from_level=10**6))  # keeps no node
    grouped = ProofService(reader.engines.read)
    try:
        alone = [
            _outcome(lambda a=a, b=b: single.inclusion(a, b))
            if kind == "inclusion"
            else _outcome(lambda a=a, b=b: single.consistency(a, b))
            for kind, a, b in asks
        ]
        for _ in range(2):  # cold caches, then warm
            statements.clear()
            assert [_as_outcome(answer) for answer in grouped.many(asks)] == alone
            # one read for every planned proof; the three refused unplanned read the head
            assert len(statements) == 1 + 3
        statements.clear()
        clean = [0, 1, 4, 5, 6]  # proofs only
        answers = grouped.many([asks[i] for i in clean])
        assert [_as_outcome(answer) for answer in answers] == [alone[i] for i in clean]
        assert len(statements) == 1
        assert grouped.many([]) == []
    finally:
        single.close()
        grouped.close()


def test_a_group_too_large_for_one_statement_is_read_in_several(
    reader: Ledger, base: Base, statements: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(proofs, "READ_KEYS", 40)  # a proof reads a few dozen keys
    asks: list[Ask] = [("inclusion", seq, base.size) for seq in range(0, base.size, 5)]
    service = ProofService(reader.engines.read, NodeCache(from_level=10**6))
    try:
        answers = service.many(asks)
        assert len(statements) > 2
        assert answers == [reader.inclusion_proof(seq, size) for _, seq, size in asks]
    finally:
        service.close()
