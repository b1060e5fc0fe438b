"""Value forms of the pre-hash string: timestamps, numbers, vocabularies, CURIEs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ledger.traceability.epcis.timestamps import hash_timestamp, to_utc_datetime
from ledger.traceability.epcis.value_forms import canonical_number, canonical_value, scalar_text
from ledger.traceability.epcis.vocab import (
    compact_value,
    context_document,
    expand_term,
    vocabularies,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-02-02T11:04:03.1415Z", "2023-02-02T11:04:03.142Z"),  # half-up on the 4th digit
        ("2023-02-02T11:04:03.1414Z", "2023-02-02T11:04:03.141Z"),
        ("2019-10-21T14:58:56+02:00", "2019-10-21T12:58:56.000Z"),
        ("2019-10-21T14:58:56.0+02:00", "2019-10-21T12:58:56.000Z"),
        ("2019-10-21T14:58:56.000000+02:00", "2019-10-21T12:58:56.000Z"),
        ("2022-02-16T08:40:21.3142715Z", "2022-02-16T08:40:21.314Z"),
        ("2019-12-31T23:59:59.9996Z", "2020-01-01T00:00:00.000Z"),  # rounding carries
        ("2005-04-03T20:33:31.116-06:00", "2005-04-04T02:33:31.116Z"),
        ("2020-01-01T10:00:00", "2020-01-01T10:00:00.000Z"),  # no zone: UTC, not local time
        ("9999-12-31T23:59:59.9999Z", "9999-12-31T23:59:59.9999Z"),  # unrepresentable: as is
        ("yesterday", "yesterday"),
    ],
)
def test_hash_timestamp(text: str, expected: str) -> None:
    assert hash_timestamp(text) == expected


def test_to_utc_datetime_keeps_microseconds() -> None:
    assert to_utc_datetime("2022-02-16T10:40:21.3142715+02:00") == datetime(
        2022, 2, 16, 8, 40, 21, 314272, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="date-time"):
        to_utc_datetime("2020-13-01T00:00:00Z")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("26.0", "26"),
        ("0.100", "0.1"),
        ("12.10000", "12.1"),
        ("+5", "5"),
        ("0614141", "614141"),
        ("1e3", "1000"),
        ("2.5E-3", "0.0025"),
        (".5", "0.5"),
        ("111100001111000011110000", "111100001111000011110000"),  # no float on the way
        ("123456789012345678901234567890.5", "123456789012345678901234567890.5"),
    ],
)
def test_canonical_number(text: str, expected: str) -> None:
    assert canonical_number(text) == expected


@pytest.mark.parametrize("text", ["abc", "1_000", "Infinity", "NaN", "1.2.3", "", "0x10", "1e999"])
def test_non_numbers_are_not_numbers(text: str) -> None:
    assert canonical_number(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("urn:epcglobal:cbv:bizstep:receiving", "https://ref.gs1.org/cbv/BizStep-receiving"),
        ("urn:epcglobal:cbv:disp:in_progress", "https://ref.gs1.org/cbv/Disp-in_progress"),
        ("urn:epcglobal:cbv:btt:po", "https://ref.gs1.org/cbv/BTT-po"),
        ("urn:epcglobal:cbv:sdt:owning_party", "https://ref.gs1.org/cbv/SDT-owning_party"),
        ("urn:epcglobal:cbv:er:did_not_occur", "https://ref.gs1.org/cbv/ER-did_not_occur"),
        ("gs1:Temperature", "https://ref.gs1.org/voc/Temperature"),
        ("cbv:Comp-x", "https://ref.gs1.org/cbv/Comp-x"),
        ("example:x", "example:x"),  # only gs1: and cbv: CURIEs expand
        (
            "urn:epcglobal:cbv:bt:4012345000009:ASN1099",
            "urn:epcglobal:cbv:bt:4012345000009:ASN1099",
        ),
        ("urn:epc:id:sgtin:0614141.107346.2018", "https://id.gs1.org/01/10614141073464/21/2018"),
        ("23.0", "23"),
        ("true", "true"),
    ],
)
def test_canonical_value(text: str, expected: str) -> None:
    assert canonical_value(text) == expected


def test_json_scalars_take_their_xml_form() -> None:
    assert [scalar_text(v) for v in (True, False, 26.0, 7, None)] == [
        "true",
        "false",
        "26.0",
        "7",
        "",
    ]


def test_vocabularies_come_from_the_context() -> None:
    vocab = vocabularies()
    assert vocab["bizStep"]["receiving"] == "https://ref.gs1.org/cbv/BizStep-receiving"
    assert vocab["measurementType"]["Temperature"] == "https://ref.gs1.org/voc/Temperature"
    assert vocab["sensorAlertType"]["ALARM_CONDITION"] == "https://ref.gs1.org/voc/ALARM_CONDITION"
    assert vocab["component"]["x"] == "https://ref.gs1.org/cbv/Comp-x"
    assert (
        vocab["sourceOrDestinationType"]["owning_party"]
        == "https://ref.gs1.org/cbv/SDT-owning_party"
    )
    assert len(vocab["bizStep"]) >= 40
    assert len(vocab["disposition"]) >= 30


@pytest.mark.parametrize(
    ("vocabulary", "xml_value", "json_value"),
    [
        ("bizStep", "urn:epcglobal:cbv:bizstep:receiving", "receiving"),
        ("bizStep", "urn:epcglobal:cbv:bizstep:made_up", "https://ref.gs1.org/cbv/BizStep-made_up"),
        ("bizStep", "https://example.com/steps/x", "https://example.com/steps/x"),
        ("measurementType", "gs1:Temperature", "Temperature"),
        ("measurementType", "gs1:MT-Temperature", "gs1:MT-Temperature"),
        ("bizTransactionType", "urn:epcglobal:cbv:btt:desadv", "desadv"),
    ],
)
def test_xml_values_compact_to_json_ld_without_changing_the_hash(
    vocabulary: str, xml_value: str, json_value: str
) -> None:
    compacted = compact_value(vocabulary, xml_value)
    assert compacted == json_value
    assert canonical_value(expand_term(vocabulary, compacted)) == canonical_value(xml_value)


def test_shipped_context_is_the_official_one(vectors: Path) -> None:
    official = json.loads((vectors / "epcis-context.jsonld").read_bytes())
    assert context_document() == official
