"""Tampering with a ledger's database, and ``verify_database`` naming what was done where.

Each test changes a private copy of the base ledger the way someone with write access to
the database could, then checks the error: the entry it names (``exc.seq``) and why. The
careful forgeries recompute every hash with :mod:`tests.ledger.oracle`; only signatures
and the signed checkpoints are out of a forger's reach.
"""

from __future__ import annotations

import base64
import json
import os
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, insert, update

from ledger.audit.database import verify_database
from ledger.core.checkpoint import Checkpoint as TreeHead
from ledger.core.checkpoint import SignedCheckpoint
from ledger.core.errors import VerificationFailed
from ledger.storage.models import (
    Checkpoint,
    Entry,
    EntryRef,
    LedgerHead,
    MerkleNode,
    Participant,
    ParticipantKey,
)
from tests.ledger import oracle
from tests.ledger.rewrite import Raw, flip_digit, resign
from tests.ledger.scenario import (
    BUYER,
    LEDGER_KEY,
    LENDER,
    NOW,
    OTHER_LEDGER_KEY,
    SELLER,
    Base,
    key_for,
    line_opened,
    open_ledger,
)


def failure(url: str, **kwargs: Any) -> VerificationFailed:
    with pytest.raises(VerificationFailed) as caught:
        verify_database(url, **kwargs)
    return caught.value


def first_of(raw: Raw, type_: str, after: int = 0) -> Any:
    return next(row for row in raw.entries() if row.type == type_ and row.seq >= after)


def test_the_untouched_copy_verifies(base_copy: Base) -> None:
    report = verify_database(base_copy.url, pinned_key=LEDGER_KEY.public_key)
    assert report.tree_size == base_copy.size
    assert report.checkpoints == len(base_copy.checkpoints)
    assert (report.participants, report.keys) == (7, 8)
    with Raw(base_copy.url) as raw:
        leaves = [row.leaf_hash for row in raw.entries()]
    assert report.root_hash == oracle.mth(leaves)


def test_one_digit_of_a_payload(base_copy: Base) -> None:
    with Raw(base_copy.url) as raw:
        row = first_of(raw, "payment.made", after=100)
        raw.update_entry(row.seq, canonical=flip_digit(row.canonical))
    error = failure(base_copy.url)
    assert error.seq == row.seq
    assert "leaf hash does not match the entry's content" in str(error)


def test_a_byte_that_breaks_the_canonical_form(base_copy: Base) -> None:
    with Raw(base_copy.url) as raw:
        row = first_of(raw, "invoice.issued", after=50)
        raw.update_entry(row.seq, canonical=row.canonical.replace(b'":', b'": ', 1))
    error = failure(base_copy.url)
    assert error.seq == row.seq
    assert "stored event is malformed" in str(error)


def test_an_entry_deleted(base_copy: Base) -> None:
    with Raw(base_copy.url) as raw:
        raw.execute(delete(Entry).where(Entry.seq == 77))
    error = failure(base_copy.url)
    assert error.seq == 77
    assert "entry 77 is missing (found entry 78 in its place)" in str(error)


def test_an_entry_deleted_and_the_rest_renumbered(base_copy: Base) -> None:
    with Raw(base_copy.url) as raw:
        size = raw.head().tree_size
        statements: list[Any] = [delete(Entry).where(Entry.seq == 77)]
        statements += [
            update(Entry).where(Entry.seq == seq).values(seq=seq - 1) for seq in range(78, size)
        ]
        statements.append(update(LedgerHead).values(tree_size=size - 1))
        raw.execute(*statements)
    error = failure(base_copy.url)
    assert error.seq == 77
    assert "chain hash does not follow from the previous entry" in str(error)


def _swap(raw: Raw, a: int, b: int) -> None:
    first, second = raw.entry(a), raw.entry(b)
    columns = [c for c in first._fields if c != "seq"]
    raw.execute(  # event ids are unique: move one aside first
        update(Entry).where(Entry.seq == a).values(event_id="00000000-0000-4000-8000-0000000000"),
        update(Entry).where(Entry.seq == b).values(**{c: getattr(first, c) for c in columns}),
        update(Entry).where(Entry.seq == a).values(**{c: getattr(second, c) for c in columns}),
    )


def test_two_entries_swapped(base_copy: Base) -> None:
    with Raw(base_copy.url) as raw:
        _swap(raw, 120, 140)
    error = failure(base_copy.url)
    assert error.seq == 120
    assert "chain hash does not follow" in str(error)


def test_two_neighbours_swapped_with_recomputed_hashes(base_copy: Base) -> None:
    """Order is part of history: recomputed chain and tree, caught by the checkpoints."""
    with Raw(base_copy.url) as raw:
        rows = raw.entries()
        a, b = rows[30], rows[31]
        raw.rewrite({30: (b.canonical, b.signature), 31: (a.canonical, a.signature)})
    error = failure(base_copy.url)
    first_checkpoint = min(size for size in base_copy.checkpoints if size > 31)
    assert error.seq == first_checkpoint - 1
    assert "history was rewritten" in str(error)


@pytest.mark.parametrize("replacement", ["garbage", "another key"])
def test_a_signature_replaced(base_copy: Base, replacement: str) -> None:
    with Raw(base_copy.url) as raw:
        row = first_of(raw, "order.accepted", after=90)
        assert row.actor == SELLER
        signature = (
            os.urandom(64) if replacement == "garbage" else key_for(BUYER).sign(row.canonical)
        )
        raw.update_entry(row.seq, signature=signature)
    error = failure(base_copy.url)
    assert error.seq == row.seq
    assert "leaf hash does not match" in str(error)


@pytest.mark.parametrize("replacement", ["garbage", "another key"])
def test_a_signature_replaced_with_every_hash_recomputed(base_copy: Base, replacement: str) -> None:
    with Raw(base_copy.url) as raw:
        row = first_of(raw, "order.accepted", after=90)
        signature = (
            os.urandom(64) if replacement == "garbage" else key_for(BUYER).sign(row.canonical)
        )
        raw.rewrite({row.seq: (row.canonical, signature)})
    error = failure(base_copy.url)
    assert error.seq == row.seq
    assert "signature does not verify" in str(error)


def test_an_event_re_signed_by_another_participant(base_copy: Base) -> None:
    """The forger names the other key too; the registry says it is not the actor's."""
    with Raw(base_copy.url) as raw:
        row = first_of(raw, "order.accepted", after=90)
        new = resign(row.canonical, key_for(BUYER), key_id=key_for(BUYER).key_id)
        raw.rewrite({row.seq: new})
    error = failure(base_copy.url)
    assert error.seq == row.seq
    assert f"does not belong to {SELLER} (key_id)" in str(error)


def test_an_event_signed_with_a_revoked_key(base_copy: Base) -> None:
    """The lender's last event, re-signed with its revoked first key."""
    with Raw(base_copy.url) as raw:
        row = raw.entry(base_copy.size - 1)
        old = key_for(LENDER)
        raw.rewrite({row.seq: resign(row.canonical, old, key_id=old.key_id)})
    error = failure(base_copy.url)
    assert error.seq == base_copy.size - 1
    assert "was revoked" in str(error)


def test_the_tail_truncated_below_a_signed_checkpoint(base_copy: Base) -> None:
    last = base_copy.checkpoints[-1]
    keep = last - 10
    with Raw(base_copy.url) as raw:
        tip = raw.entry(keep - 1).chain_hash
        leaves = [row.leaf_hash for row in raw.entries()][:keep]
        stale = [
            (level, index)
            for (level, index) in raw.nodes()
            if (index + 1) << level > keep  # completed by a deleted leaf
        ]
        raw.execute(
            delete(Entry).where(Entry.seq >= keep),
            *[
                delete(MerkleNode).where(MerkleNode.level == lv, MerkleNode.idx == ix)
                for lv, ix in stale
            ],
            update(LedgerHead).values(tree_size=keep, chain_hash=tip),
        )
        assert raw.nodes() == {(lv, ix): h for lv, ix, h in oracle.complete_subtrees(leaves)}
    error = failure(base_copy.url)
    assert error.seq == keep
    assert f"below the signed checkpoint at size {last}: entries were truncated" in str(error)


def test_history_rewritten_with_every_hash_recomputed(base_copy: Base) -> None:
    """A payment's amount changed and re-signed by the payer itself: only checkpoints know."""
    with Raw(base_copy.url) as raw:
        row = first_of(raw, "payment.made", after=100)
        body = json.loads(row.canonical)
        body["payload"]["amount"]["amount_minor"] += 1
        new = resign(row.canonical, key_for(row.actor), payload=body["payload"])
        raw.rewrite({row.seq: new})
        notes = raw.checkpoint_notes()
    error = failure(base_copy.url)
    caught_at = min(size for size in notes if size > row.seq)
    assert error.seq == caught_at - 1
    assert f"Merkle root at size {caught_at} is" in str(error)
    assert "history was rewritten" in str(error)
    # and nothing but the checkpoints could tell: without them the forgery passes
    with Raw(base_copy.url) as raw:
        raw.execute(delete(Checkpoint))
    assert verify_database(base_copy.url).tree_size == base_copy.size


@pytest.mark.parametrize(
    ("level", "index"), [(1, 0), (3, 5), (7, 0)], ids=["level1", "level3", "level7"]
)
def test_a_stored_subtree_hash_corrupted(base_copy: Base, level: int, index: int) -> None:
    with Raw(base_copy.url) as raw:
        raw.execute(
            update(MerkleNode)
            .where(MerkleNode.level == level, MerkleNode.idx == index)
            .values(hash=bytes(32))
        )
    error = failure(base_copy.url)
    assert error.seq == ((index + 1) << level) - 1  # the leaf that completed it
    assert f"stored subtree hash NodeId({level}, {index}) differs" in str(error)


def test_a_stored_subtree_hash_missing_or_extra(base_copy: Base) -> None:
    with Raw(base_copy.url) as raw:
        raw.execute(delete(MerkleNode).where(MerkleNode.level == 2, MerkleNode.idx == 9))
    error = failure(base_copy.url)
    assert error.seq == 39
    assert "stored subtree hash NodeId(2, 9) is missing" in str(error)
    with Raw(base_copy.url) as raw:
        raw.execute(
            insert(MerkleNode).values(level=2, idx=9, hash=raw.nodes()[(2, 8)]),
        )
    error = failure(base_copy.url)
    assert error.seq == 39
    with Raw(base_copy.url) as raw:
        leaves = [row.leaf_hash for row in raw.entries()]
        good = dict(((lv, ix), h) for lv, ix, h in oracle.complete_subtrees(leaves))
        raw.execute(
            update(MerkleNode)
            .where(MerkleNode.level == 2, MerkleNode.idx == 9)
            .values(hash=good[(2, 9)]),
            insert(MerkleNode).values(level=9, idx=0, hash=bytes(32)),
        )
    assert "stored subtree hashes where" in str(failure(base_copy.url))


def _bad_signature(note: str) -> str:
    body, signature = note.split("\n\n")
    name, blob = signature.removeprefix("— ").rstrip("\n").split(" ")
    raw = bytearray(base64.b64decode(blob))
    raw[-1] ^= 1
    return f"{body}\n\n— {name} {base64.b64encode(bytes(raw)).decode()}\n"


def test_a_checkpoint_note_with_a_bad_signature(base_copy: Base) -> None:
    size = base_copy.checkpoints[1]
    with Raw(base_copy.url) as raw:
        note = raw.checkpoint_notes()[size]
        raw.execute(
            update(Checkpoint).where(Checkpoint.tree_size == size).values(note=_bad_signature(note))
        )
    error = failure(base_copy.url)
    assert error.seq is None
    assert f"checkpoint at size {size}: invalid signature" in str(error)


def test_a_checkpoint_signed_by_another_key(base_copy: Base) -> None:
    size = base_copy.checkpoints[0]
    with Raw(base_copy.url) as raw:
        original = SignedCheckpoint.parse(raw.checkpoint_notes()[size]).checkpoint
        forged = TreeHead(original.origin, size, bytes(32), original.timestamp).sign(
            OTHER_LEDGER_KEY, original.origin
        )
        raw.execute(
            update(Checkpoint)
            .where(Checkpoint.tree_size == size)
            .values(note=forged.note, root_hash=bytes(32))
        )
    error = failure(base_copy.url)
    assert error.seq is None
    assert f"checkpoint at size {size}: " in str(error)
    assert "no signature by a known key" in str(error)


def test_a_checkpoint_row_that_disagrees_with_its_note(base_copy: Base) -> None:
    size = base_copy.checkpoints[0]
    with Raw(base_copy.url) as raw:
        raw.execute(
            update(Checkpoint).where(Checkpoint.tree_size == size).values(root_hash=bytes(32))
        )
    assert f"checkpoint row at size {size} disagrees with its signed note" in str(
        failure(base_copy.url)
    )


def test_a_wrong_pinned_key(base_copy: Base) -> None:
    error = failure(base_copy.url, pinned_key=OTHER_LEDGER_KEY.public_key)
    assert error.seq is None
    assert "another ledger key than the pinned one" in str(error)


def test_a_key_row_not_backed_by_the_registry(base_copy: Base) -> None:
    stranger = key_for("stranger")
    with Raw(base_copy.url) as raw:
        raw.execute(
            insert(ParticipantKey).values(
                key_id=stranger.key_id,
                participant_id=SELLER,
                public_key=stranger.public_key,
                valid_from=NOW,
                added_seq=3,
            )
        )
    error = failure(base_copy.url)
    assert f"key table row {stranger.key_id} is not backed by a registry entry" in str(error)


def test_a_revocation_undone_in_the_key_table(base_copy: Base) -> None:
    with Raw(base_copy.url) as raw:
        raw.execute(
            update(ParticipantKey)
            .where(ParticipantKey.key_id == base_copy.revoked_key_id)
            .values(revoked_at=None)
        )
    error = failure(base_copy.url)
    assert f"key table row {base_copy.revoked_key_id} disagrees on revocation" in str(error)


def test_the_head_moved_back(base_copy: Base) -> None:
    with Raw(base_copy.url) as raw:
        raw.execute(update(LedgerHead).values(tree_size=base_copy.size - 1))
    error = failure(base_copy.url)
    assert error.seq == base_copy.size
    assert f"the head says {base_copy.size - 1} entries but {base_copy.size} are stored" in str(
        error
    )


# -- what verify_database does not check yet ----------------------------------------------
# The query columns of ``entries`` (event_id, flow, type, actor, key_id, occurred_at), the
# ``entry_refs`` index and the registry tables' windows and names are copies of signed
# content that queries, idempotence and the appender rely on; a forger who edits them hides
# entries from queries, makes a replay look new, or stretches a key's window, and the
# verifier (which reads only canonical, signature, leaf and chain) says the ledger is valid.


def passes_or_names(url: str, seq: int | None, reason: str) -> None:
    error: VerificationFailed | None = None
    try:
        verify_database(url)
    except VerificationFailed as exc:
        error = exc
    assert error is not None, "the tampered ledger verified"
    assert error.seq == seq, str(error)
    assert reason in str(error)


def test_a_query_column_changed(base_copy: Base) -> None:
    """A late payment retyped in the index: queries for payments no longer find it."""
    with Raw(base_copy.url) as raw:
        row = first_of(raw, "payment.made", after=100)
        raw.update_entry(row.seq, type="order.accepted", flow="information")
    passes_or_names(base_copy.url, row.seq, "column disagrees with the signed event")


def test_an_event_id_column_changed(base_copy: Base) -> None:
    """The idempotence index lies: the same signed event could be appended a second time."""
    with Raw(base_copy.url) as raw:
        row = first_of(raw, "payment.made", after=100)
        raw.update_entry(row.seq, event_id="00000000-0000-4000-8000-000000000001")
    passes_or_names(base_copy.url, row.seq, "event_id")


def test_an_entry_hidden_from_a_participant_query(base_copy: Base) -> None:
    with Raw(base_copy.url) as raw:
        row = first_of(raw, "payment.made", after=100)
        raw.execute(delete(EntryRef).where(EntryRef.seq == row.seq))
    passes_or_names(base_copy.url, row.seq, "entry_refs")


def _stretch_seller_key(url: str) -> None:
    with Raw(url) as raw:
        raw.execute(
            update(ParticipantKey)
            .where(ParticipantKey.key_id == key_for(SELLER).key_id)
            .values(valid_from=NOW - timedelta(days=3650))
        )


def test_a_key_window_stretched_in_the_key_table(base_copy: Base) -> None:
    _stretch_seller_key(base_copy.url)
    passes_or_names(base_copy.url, None, f"key table row {key_for(SELLER).key_id}")


def test_an_event_let_in_by_an_unrevoked_key_is_caught(base_copy: Base) -> None:
    """The appender trusts the key table; the verifier trusts only the signed registry."""
    with Raw(base_copy.url) as raw:
        raw.execute(
            update(ParticipantKey)
            .where(ParticipantKey.key_id == base_copy.revoked_key_id)
            .values(revoked_at=None)
        )
    with open_ledger(base_copy.url) as ledger:
        entry = ledger.append(line_opened(LENDER, "after-revocation"))
    error = failure(base_copy.url)
    assert error.seq == entry.seq
    assert "was revoked" in str(error)


def test_a_legal_name_changed_in_the_participant_table(base_copy: Base) -> None:
    with Raw(base_copy.url) as raw:
        raw.execute(
            update(Participant).where(Participant.id == SELLER).values(legal_name="Someone Else")
        )
    passes_or_names(base_copy.url, None, f"participant {SELLER}")
