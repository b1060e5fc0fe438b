"""A receipt's message is written out: the same bytes as the general RFC 8785 route.

:meth:`AppendReceipt.message` (signed by the ledger, checked by the client) must be
:meth:`AppendReceipt.general_message` for every receipt; a receipt the short form cannot
write (a field JSON would escape, a seq out of range) takes the general route.
"""

from __future__ import annotations

import pytest

from ledger.core.append_receipt import DOMAIN, AppendReceipt
from ledger.core.canonical import canonicalize
from ledger.core.errors import InvalidEvent
from ledger.core.keys import SigningKey

KEY = SigningKey(bytes(range(32)))
ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
AT = "2025-01-02T03:04:05.678901Z"


@pytest.mark.parametrize(
    "receipt",
    [
        AppendReceipt("threeflow.example/ledger", 0, ID, "ab" * 32, AT),
        AppendReceipt("threeflow.example/ledger", 2**53 - 1, ID, "00" * 32, AT),
        AppendReceipt('quote " back \\ slash \n é 😀', 7, ID, "cd" * 32, AT),
        AppendReceipt("o", 7, 'id "quoted"', "cd" * 32, AT),  # escaped: the general route
        AppendReceipt("o", 7, ID, "back\\slash", AT),
        AppendReceipt("o", 7, ID, "cd" * 32, "é"),
        AppendReceipt("", 7, "", "", ""),
    ],
)
def test_the_written_message_is_the_general_one(receipt: AppendReceipt) -> None:
    assert receipt.message() == DOMAIN + canonicalize(receipt.body())
    assert receipt.general_message() == receipt.message()
    signed = receipt.signed(KEY)
    assert signed.verify(KEY.public_key) == signed
    assert KEY.sign(DOMAIN + canonicalize(receipt.body())).hex() == signed.signature


def test_a_seq_out_of_range_is_refused_as_before() -> None:
    receipt = AppendReceipt("o", 2**53, ID, "ab" * 32, AT)
    with pytest.raises(InvalidEvent):
        receipt.signed(KEY)
    with pytest.raises(InvalidEvent):
        receipt.message()
