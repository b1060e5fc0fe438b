"""The EPCIS index is a projection: written in the capture's transaction, or not at all.

On SQLite and PostgreSQL: a capturing process killed after its entries and index rows are
written but before the commit leaves neither behind (the crash window that ``epcis
reindex`` used to paper over is gone); verification compares the index with a replay of
the log, catches a forged index row, and ``rebuild`` repairs it.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from ledger.audit.database import verify_database
from ledger.core.errors import Conflict, VerificationFailed
from ledger.core.events import Event
from ledger.log import Ledger
from ledger.storage.models import Entry
from ledger.storage.projections import rebuild
from ledger.traceability import samples as s
from ledger.traceability import store
from ledger.traceability.capture import capture
from ledger.traceability.epcis import EpcisEvent
from ledger.traceability.notary import notary_key
from ledger.traceability.projection import PROJECTOR
from ledger.traceability.tables import EpcisEventRow, EpcisItem, EpcisLink
from tests.ledger.epcis_workers import capture_and_hang
from tests.ledger.scenario import NOW, T0, key_for, open_ledger

SPAWN = multiprocessing.get_context("spawn")
UNITS = [f"urn:epc:id:sgtin:0614141.107346.{i}" for i in (1, 2)]
CASE = "urn:epc:id:sscc:0614141.1234567890"


def _document() -> bytes:
    at = T0 + timedelta(days=3)
    return s.document_bytes(
        [
            s.object_event(at, UNITS, action="ADD", biz_step="commissioning"),
            s.aggregation_event(at + timedelta(hours=1), CASE, UNITS),
            s.object_event(at + timedelta(hours=2), [CASE], biz_step="shipping"),
        ],
        NOW,
    )


def _counts(ledger: Ledger) -> tuple[int, int, int]:
    with ledger.engines.read.connect() as connection:
        captured = connection.execute(
            select(func.count()).select_from(Entry).where(Entry.type == "epcis.captured")
        ).scalar_one()
        indexed = connection.execute(select(func.count()).select_from(EpcisEventRow)).scalar_one()
        items = connection.execute(select(func.count()).select_from(EpcisItem)).scalar_one()
    return int(captured), int(indexed), int(items)


@pytest.fixture
def shop(ledger: Ledger) -> Ledger:
    ledger.register_participant("shop-1", "Shop", ["buyer"], "DE", key_for("shop-1").public_key,
                                T0, gs1_prefixes=["0614141"])  # fmt: skip
    return ledger


def test_a_capture_killed_before_commit_leaves_neither_entries_nor_index(shop: Ledger) -> None:
    url = shop.engines.url
    size = shop.size()
    inside = SPAWN.Event()
    child = SPAWN.Process(target=capture_and_hang, args=(url, _document(), inside))
    child.start()
    try:
        assert inside.wait(timeout=60), "the capture never reached its commit point"
    finally:
        os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
        child.join(timeout=30)
    assert child.exitcode == -signal.SIGKILL

    with open_ledger(url) as reopened:
        assert reopened.size() == size
        assert _counts(reopened) == (0, 0, 0)
        captured = capture(reopened, _document(), "application/ld+json", "shop-1")
        assert [c.duplicate for c in captured] == [False, False, False]
        assert _counts(reopened)[:2] == (3, 3)
    report = verify_database(url)
    assert report.projections[PROJECTOR.name] > 3


def test_verify_catches_a_forged_index_row_and_rebuild_repairs_it(shop: Ledger) -> None:
    capture(shop, _document(), "application/ld+json", "shop-1")
    url = shop.engines.url
    with shop.engines.write.begin() as connection:
        connection.execute(update(EpcisEventRow).values(biz_step="urn:epcglobal:cbv:bizstep:void"))
    with pytest.raises(VerificationFailed, match=r"traceability\.epcis_index"):
        verify_database(url)

    with shop.unit_of_work() as uow:
        assert rebuild(uow.connection, PROJECTOR) == 3
        uow.commit()
    assert verify_database(url).projections[PROJECTOR.name] > 3


def test_the_index_refuses_a_second_capture_posted_as_a_plain_event(shop: Ledger) -> None:
    first = capture(shop, _document(), "application/ld+json", "shop-1")
    entry = shop.entry(first[0].seq)
    body = entry.event.body()
    body["id"] = "00000000-0000-4000-8000-0000000000aa"  # same EPCIS event, another entry id
    notary = entry.event.actor
    assert notary == "epcis-notary"
    again = Event.create(
        notary_key(shop.key),
        flow="logistics",
        type="epcis.captured",
        actor=notary,
        payload=body["payload"],
        occurred_at=entry.event.occurred_at,
        subjects=list(entry.event.subjects),
        event_id=body["id"],
    )
    size = shop.size()
    with pytest.raises(Conflict, match="captured already"):
        shop.append(again)
    assert shop.size() == size


def test_indexing_again_writes_only_the_seqs_not_indexed_yet(shop: Ledger) -> None:
    captured = capture(shop, _document(), "application/ld+json", "shop-1")
    seqs = [c.seq for c in captured]
    events = [EpcisEvent.from_event(e) for e in json.loads(_document())["epcisBody"]["eventList"]]
    with shop.engines.write.begin() as connection:
        before = connection.execute(select(EpcisEventRow).order_by(EpcisEventRow.seq)).all()
        items = connection.execute(
            select(EpcisItem).order_by(*EpcisItem.__table__.primary_key)
        ).all()
        links = connection.execute(
            select(EpcisLink).order_by(*EpcisLink.__table__.primary_key)
        ).all()
        assert any(link.seq == seqs[1] for link in links)
        for table in (EpcisItem, EpcisLink):
            connection.execute(delete(table).where(table.seq == seqs[1]))
        connection.execute(delete(EpcisEventRow).where(EpcisEventRow.seq == seqs[1]))
        # the first and last are indexed (skipped), the middle one is written again
        store.write_index(connection, [(s, e, "shop-1") for s, e in zip(seqs, events, strict=True)])
        assert connection.execute(select(EpcisEventRow).order_by(EpcisEventRow.seq)).all() == before
        assert (
            connection.execute(select(EpcisItem).order_by(*EpcisItem.__table__.primary_key)).all()
            == items
        )
        assert (
            connection.execute(select(EpcisLink).order_by(*EpcisLink.__table__.primary_key)).all()
            == links
        )
        store.write_index(connection, [(seqs[2], events[2], "shop-1")])  # indexed: nothing
        assert connection.execute(select(EpcisEventRow).order_by(EpcisEventRow.seq)).all() == before
