"""The CBV event hash against the published vectors: every hash, pre-hash and equality.

``expected_hashes.json`` is the current reference (CBV 2.0); ``expected_hashes_cbv21.json``
the CBV 2.1 draft profile. Each document is read through :func:`parse_document`, so the
vectors also prove that every document is accepted (schema-valid) and that JSON and XML
arrive in one shape.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ledger.traceability.epcis import EpcisEvent, parse_document, prehash_string, read_events
from ledger.traceability.epcis.hashid import hash_id_of_prehash

PROFILES = [
    pytest.param("CBV2.0", "", id="cbv2.0"),
    pytest.param("CBV2.1", "_cbv21", id="cbv2.1"),
]


@pytest.mark.parametrize(("algorithm", "suffix"), PROFILES)
def test_every_expected_hash_is_reproduced(
    vectors: Path, load_expected: Callable[[str], Any], algorithm: str, suffix: str
) -> None:
    expected: dict[str, list[str]] = load_expected(f"expected_hashes{suffix}.json")
    mismatches = []
    compared = 0
    for name, hashes in expected.items():
        events = parse_document((vectors / name).read_bytes(), algorithm=algorithm)
        got = [e.hash_id for e in events]
        compared += len(hashes)
        if got != hashes:
            mismatches.append((name, got, hashes))
        assert all(e.hash_algorithm == algorithm for e in events)
    assert not mismatches
    assert (len(expected), compared) == (39, 83)


@pytest.mark.parametrize(("algorithm", "suffix"), PROFILES)
def test_every_expected_prehash_is_reproduced(
    parsed: dict[str, list[EpcisEvent]],
    load_expected: Callable[[str], Any],
    algorithm: str,
    suffix: str,
) -> None:
    expected: dict[str, list[str]] = load_expected(f"expected_prehashes{suffix}.json")
    hashes: dict[str, list[str]] = load_expected(f"expected_hashes{suffix}.json")
    compared = 0
    for name, prehashes in expected.items():
        got = [prehash_string(e.event, algorithm=algorithm) for e in parsed[name]]
        assert got == prehashes, name
        assert [hash_id_of_prehash(p, algorithm=algorithm) for p in got] == hashes[name]
        compared += len(got)
    assert compared == 83


def test_groups_within_a_file_hash_alike(
    parsed: dict[str, list[EpcisEvent]], load_expected: Callable[[str], Any]
) -> None:
    """Number precision, timestamp precision and list order do not change the hash."""
    groups: list[str] = load_expected("expected_equal.json")["groups_within_file"]
    assert len(groups) == 3
    for name in groups:
        events = parsed[name]
        assert len(events) >= 2, name
        assert len({e.hash_id for e in events}) == 1, name


def test_json_and_xml_twins_hash_alike(vectors: Path, load_expected: Callable[[str], Any]) -> None:
    groups: list[list[str]] = load_expected("expected_equal.json")["same_hashes_across_files"]
    assert len(groups) == 12
    for group in groups:
        lists = [[e.hash_id for e in parse_document((vectors / n).read_bytes())] for n in group]
        assert lists[0], group
        assert all(hashes == lists[0] for hashes in lists), group


def test_twins_normalise_to_the_same_shape(
    parsed: dict[str, list[EpcisEvent]], load_expected: Callable[[str], Any]
) -> None:
    """Beyond equal hashes, an XML event has the JSON-LD shape of its JSON twin.

    Values may be written differently (a time zone, ``26.0`` for ``26``); keys, nesting and
    JSON types must agree, so stored XML events export as the JSON their senders meant.
    """
    groups: list[list[str]] = load_expected("expected_equal.json")["same_hashes_across_files"]
    for group in groups:
        shapes = [[_shape(e.event) for e in parsed[n]] for n in group]
        assert all(s == shapes[0] for s in shapes), group


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items() if k not in ("eventID", "recordTime")}
    if isinstance(value, list):
        return sorted((_shape(v) for v in value), key=repr)
    if isinstance(value, bool):
        return "bool"
    return "number" if isinstance(value, int | float) else type(value).__name__


@pytest.mark.parametrize(
    ("name", "index", "fragment"),
    [
        # timestamps: UTC, 3 decimals rounded half-up on the 4th
        ("TimeStampRoundOff.jsonld", 0, "eventTime=2023-02-02T11:04:03.142Z"),
        ("TimeStampRoundOff.jsonld", 1, "eventTime=2023-02-02T11:04:03.141Z"),
        # booleans in XML form, bare measurement type expanded to ref.gs1.org/voc
        ("ObjectEvent_all_possible_fields.json", 0, "booleanValue=true"),
        ("ObjectEvent_all_possible_fields.json", 0, "type=https://ref.gs1.org/voc/Temperature"),
        # bizTransaction: type before value, members sorted
        (
            "ObjectEvent_all_possible_fields.json",
            0,
            "bizTransactionListtype=https://ref.gs1.org/cbv/BTT-pedigree",
        ),
        # EPC URN -> canonical Digital Link with check digit
        (
            "ObjectEvent_all_possible_fields.json",
            0,
            "epc=https://id.gs1.org/01/10614141073464/21/2018",
        ),
        # a document-declared cbvmda prefix keeps its trailing colon
        ("epcisDocWithVariousEventTypes.jsonld", 3, "ilmd{urn:epcglobal:cbv:mda:}bestBefore"),
        ("epcisDocWithVariousEventTypes.xml", 3, "ilmd{urn:epcglobal:cbv:mda:}bestBefore"),
        # an undeclared cbvmda prefix takes the XML namespace, without the colon
        ("ObjectEvent_all_possible_fields.json", 0, "{urn:epcglobal:cbv:mda}countryOfExport=KR"),
    ],
)
def test_tricky_cases_show_in_the_prehash(
    vectors: Path, name: str, index: int, fragment: str
) -> None:
    event = read_events((vectors / name).read_bytes())[index]
    assert fragment in prehash_string(event)


def test_ignored_fields_do_not_change_the_hash(vectors: Path) -> None:
    event = read_events((vectors / "ObjectEvent_all_possible_fields.json").read_bytes())[0]
    plain = {
        k: v
        for k, v in event.items()
        if k not in ("eventID", "errorDeclaration", "certificationInfo", "recordTime")
    }
    noisy = {
        **plain,
        "recordTime": "2030-01-01T00:00:00Z",
        "comment": "x",
        "epcList": [*plain["epcList"]],
    }
    base = prehash_string(plain)
    assert prehash_string(event) == base
    assert prehash_string(noisy) == base
    assert prehash_string({**plain, "epcList": []}) != base
