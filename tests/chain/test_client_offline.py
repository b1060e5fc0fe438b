"""Client pieces that need no node: artifacts, revert decoding, argument checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from eth_abi.abi import encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from finance_api.receipts_chain.client import RECEIPT_REGISTRY
from finance_api.receipts_chain.errors import AlreadyPledged
from finance_api.receivables_chain.client import RECEIVABLE_REGISTRY
from ledger.anchoring import BadChainInput, Chain, LedgerAnchorClient, TransactionReverted
from ledger.anchoring.artifacts import LEDGER_ANCHOR, candidate_dirs, load_artifact
from ledger.anchoring.decoder import RevertDecoder
from ledger.anchoring.errors import REVERT_ERRORS, ChainError
from ledger.core.errors import LedgerError

REPO = Path(__file__).resolve().parents[2]
NAMES = (LEDGER_ANCHOR, RECEIPT_REGISTRY, RECEIVABLE_REGISTRY)


def decoder() -> RevertDecoder:
    return RevertDecoder(load_artifact(n).abi for n in NAMES)


def test_the_packaged_artifacts_are_the_build() -> None:
    packaged = REPO / "ledger" / "anchoring" / "compiled"
    assert candidate_dirs() == (REPO / "contracts" / "build", packaged)
    for name in NAMES:
        built = load_artifact(name)
        shipped = load_artifact(name, packaged)
        assert (built.abi, built.bytecode) == (shipped.abi, shipped.bytecode)
        assert built.compiler_version.startswith("0.8.37+")


def test_every_contract_error_has_a_python_class_and_no_class_is_orphaned() -> None:
    assert decoder().error_names == set(REVERT_ERRORS)
    for cls in REVERT_ERRORS.values():
        assert issubclass(cls, ChainError)
        assert issubclass(cls, LedgerError)


def test_revert_data_decodes_by_selector() -> None:
    doc, lender = b"\x11" * 32, "0x" + "ab" * 20
    data = keccak(text="AlreadyPledged(bytes32,address)")[:4] + encode(
        ["bytes32", "address"], [doc, lender]
    )
    error = decoder().exception(data)
    assert isinstance(error, AlreadyPledged)
    assert error.revert_args == {"documentHash": doc, "pledgee": to_checksum_address(lender)}
    assert error.data == data
    assert error.status == 409


def test_solidity_builtin_reverts_keep_their_reason() -> None:
    reason = keccak(text="Error(string)")[:4] + encode(["string"], ["no"])
    panic = keccak(text="Panic(uint256)")[:4] + encode(["uint256"], [0x11])
    assert str(decoder().exception(reason)) == "reverted: no"
    assert str(decoder().exception(panic)) == "panic 0x11"


@pytest.mark.parametrize(
    "data",
    [
        b"\xde\xad\xbe\xef",  # unknown selector
        keccak(text="AlreadyPledged(bytes32,address)")[:4] + b"\x01",  # truncated arguments
        b"",
    ],
)
def test_unexplained_revert_data_is_still_a_chain_error(data: bytes) -> None:
    error = decoder().exception(data)
    assert type(error) is TransactionReverted
    assert error.data == data


def test_malformed_arguments_never_reach_web3() -> None:
    chain = Chain.in_process()
    owner = chain.dev_accounts()[0]
    anchors = LedgerAnchorClient.deploy(chain, sender=owner)
    good = b"\x01" * 32
    bad_calls: list[Callable[[], object]] = [
        lambda: anchors.anchor(b"short", 1, good, sender=owner),
        lambda: anchors.anchor(good, 1, b"\x01" * 31, sender=owner),
        lambda: anchors.anchor(good, 2**64, good, sender=owner),
        lambda: anchors.anchor(good, -1, good, sender=owner),
        lambda: anchors.anchor(good, True, good, sender=owner),
        lambda: anchors.set_anchorer(good, "not-an-address", sender=owner),
        lambda: anchors.anchor_at(good, -1),
    ]
    for call in bad_calls:
        with pytest.raises(BadChainInput):
            call()
