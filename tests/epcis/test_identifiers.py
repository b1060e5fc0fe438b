"""EPC URNs to GS1 Digital Link (with check digits) and Digital Link normalisation."""

from __future__ import annotations

import pytest

from ledger.traceability.epcis import canonical_id, epc_urn_to_digital_link, normalise_digital_link
from ledger.traceability.epcis.digital_link import canonical_id_or_self
from ledger.traceability.epcis.urn import check_digit

DL = "https://id.gs1.org"


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("400638133393", "1"),  # EAN-13 4006381333931
        ("978034541891", "3"),  # ISBN-13 9780345418913
        ("1061414107346", "4"),  # GTIN-14 10614141073464 (CBV example)
        ("04012345111111111", "0"),  # SSCC 040123451111111110 (vectors)
        ("000000000000", "0"),
    ],
)
def test_check_digit(digits: str, expected: str) -> None:
    assert check_digit(digits) == expected


def test_check_digit_refuses_non_digits() -> None:
    with pytest.raises(ValueError, match="digit"):
        check_digit("12a4")


# Every scheme of epclist_normalisation.jsonld, with its canonical Digital Link.
URNS = [
    ("urn:epc:id:sgtin:0614141.107346.2018", "/01/10614141073464/21/2018"),
    ("urn:epc:id:sgtin:4012345.011111.98%22", "/01/04012345111118/21/98%22"),
    ("urn:epc:id:sgtin:415056789012.0.987654", "/01/04150567890128/21/987654"),
    (
        "urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()",
        "/01/80614141123458/21/6789%2F%26%25%22!%3F()",
    ),
    ("urn:epc:id:sscc:4012345.3111111111", "/00/340123451111111111"),
    ("urn:epc:id:sgln:4012345.00005.122", "/414/4012345000054/254/122"),
    ("urn:epc:id:sgln:4012345.00005.0", "/414/4012345000054"),
    ("urn:epc:id:grai:4012345.00022.334455", "/8003/04012345000221334455"),
    ("urn:epc:id:giai:4012345.ABC345", "/8004/4012345ABC345"),
    ("urn:epc:id:gsrn:4012345.0000006765", "/8018/401234500000067657"),
    ("urn:epc:id:gsrnp:4012345.0000000007", "/8017/401234500000000074"),
    ("urn:epc:id:gdti:4012345.00009.PO-4711", "/253/4012345000092PO-4711"),
    ("urn:epc:id:gdti:987659999999..9", "/253/98765999999929"),
    (
        "urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234",
        "/8010/061414111111111111111-A%23%2F/8011/1234",
    ),
    ("urn:epc:id:ginc:0614141.xyz47%2F11", "/401/0614141xyz47%2F11"),
    ("urn:epc:id:gsin:4012345.222333444", "/402/40123452223334442"),
    ("urn:epc:id:itip:4012345.011111.01.02.987", "/8006/040123451111180102/21/987"),
    (
        "urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7'SDB",
        "/01/01234567987651/235/51qIgY)%3C%26Jp3*j7'SDB",
    ),
    ("urn:epc:id:pgln:4000001.00000", "/417/4000001000005"),
    ("urn:epc:id:pgln:999999999999.", "/417/9999999999994"),
    ("urn:epc:class:lgtin:4012345.012345.Lot987", "/01/04012345123456/10/Lot987"),
    ("urn:epc:idpat:sgtin:4012345.098765.*", "/01/04012345987652"),
]


@pytest.mark.parametrize(("urn", "path"), URNS)
def test_epc_urn_to_digital_link(urn: str, path: str) -> None:
    assert epc_urn_to_digital_link(urn) == DL + path
    assert canonical_id(urn) == DL + path
    # the canonical form is a fixed point (kept as is where the DL check refuses escapes)
    assert canonical_id_or_self(DL + path) == DL + path


@pytest.mark.parametrize(
    "urn",
    [
        "urn:epc:id:sgtin:0614141.10734.2018",  # prefix + reference is not 13 digits
        "urn:epc:id:sgtin:12345.1234567.1",  # company prefix too short
        "urn:epc:id:sscc:4012345.311111111",
        "urn:epc:id:sgtin:0614141.107346.",  # empty serial
        "urn:epc:id:sgtin:0614141.107346.a b",  # space is not allowed
        "urn:epc:id:unknown:1.2.3",
        "urn:epcglobal:cbv:bt:4012345000009:ASN1099",
        "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8",
    ],
)
def test_malformed_or_foreign_urns_are_not_converted(urn: str) -> None:
    assert epc_urn_to_digital_link(urn) is None
    assert canonical_id(urn) is None


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("https://id.gs1.org/gtin/09780345418913", "/01/09780345418913"),
        (
            "https://example.com/gtin/09780345418913/21/765tz?abc=211121",
            "/01/09780345418913/21/765tz",
        ),
        ("https://id.gs1.de/01/04012345999990/21/XYZ-1234", "/01/04012345999990/21/XYZ-1234"),
        ("http://example.org/some/path/8004/401234599999", "/8004/401234599999"),
        ("https://example.com/01/9780345418913", "/01/09780345418913"),  # GTIN-13 padded
        ("https://example.com/01/614141123452", "/01/00614141123452"),  # GTIN-12 padded
        (
            "https://example.com/gtin/09506000134352/lot/ABC/ser/12345",
            "/01/09506000134352/21/12345",
        ),
        ("https://id.gs1.org/01/09506000134352/22/2A/10/ABC", "/01/09506000134352/10/ABC"),
        ("https://id.gs1.org/01/09506000134352/22/2A", "/01/09506000134352"),
        ("https://id.gs1.org/sscc/106141412345678908/", "/00/106141412345678908"),
        ("https://example.com/253/4012345000054987", "/253/4012345000054987"),
        ("https://id.gs1.org/414/4012345000054/254/ser", "/414/4012345000054/254/ser"),
    ],
)
def test_digital_link_normalisation(uri: str, expected: str) -> None:
    assert normalise_digital_link(uri) == DL + expected


@pytest.mark.parametrize(
    "uri",
    [
        "https://example.com/foo/bar",
        "https://example.org/rail/someSectorSpecificValue",
        "https://id.gs1.org/01/123/21/x",  # no GS1 key value
        "https://id.gs1.org/01/09506000134352/21/a%2Fb",  # outside the reference's character set
        "ftp://id.gs1.org/01/09506000134352",
        "ni:///sha-256;00?ver=CBV2.0",
    ],
)
def test_non_gs1_uris_are_left_alone(uri: str) -> None:
    assert normalise_digital_link(uri) is None
