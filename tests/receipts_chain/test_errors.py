"""The registry's reverts are finance errors: one ``except`` catches the rule however refused."""

from __future__ import annotations

import pytest
from eth_abi.abi import encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from finance_api.domain import errors as domain
from finance_api.receipts_chain import errors as chain_errors
from finance_api.receipts_chain.client import RECEIPT_REGISTRY
from ledger.anchoring import errors as anchoring_errors
from ledger.anchoring.artifacts import load_artifact
from ledger.anchoring.decoder import RevertDecoder
from ledger.anchoring.errors import REVERT_ERRORS, ContractRevert, NotOwner, register_reverts

RULES = {
    "AlreadyPledged": (domain.AlreadyPledged, 409),
    "NotPledgee": (domain.NotPledgee, 403),
    "NotHolder": (domain.NotHolder, 403),
    "NotPledged": (domain.NotPledged, 409),
    "UnknownReceipt": (domain.UnknownReceipt, 404),
    "AlreadyCancelled": (domain.AlreadyCancelled, 409),
    "NotIssuer": (domain.NotIssuer, 403),
    "StillPledged": (domain.StillPledged, 409),
    "AlreadyRegistered": (domain.AlreadyRegistered, 409),
    "NotAdmittedWarehouse": (domain.NotAdmittedWarehouse, 403),
    "AlreadyAdmitted": (domain.AlreadyAdmitted, 409),
}


@pytest.mark.parametrize("name", sorted(RULES))
def test_each_receipt_revert_is_its_domain_error_with_its_code_and_status(name: str) -> None:
    rule, status = RULES[name]
    cls = REVERT_ERRORS[name]
    assert cls is getattr(chain_errors, name)
    assert issubclass(cls, ContractRevert)
    assert issubclass(cls, rule)
    assert issubclass(cls, domain.FinanceError)
    assert (cls.code, cls.status) == (rule.code, rule.status)
    assert rule.status == status
    assert rule.code != "contract_revert"


def test_a_double_pledge_refused_on_chain_is_caught_as_the_domain_error() -> None:
    document, lender = b"\x22" * 32, "0x" + "cd" * 20
    data = keccak(text="AlreadyPledged(bytes32,address)")[:4] + encode(
        ["bytes32", "address"], [document, lender]
    )
    decoder = RevertDecoder([load_artifact(RECEIPT_REGISTRY).abi])
    with pytest.raises(domain.AlreadyPledged) as caught:
        raise decoder.exception(data)
    assert isinstance(caught.value, ContractRevert)
    assert caught.value.revert_args == {
        "documentHash": document,
        "pledgee": to_checksum_address(lender),
    }
    assert (caught.value.code, caught.value.status) == ("already_pledged", 409)
    assert str(caught.value).startswith("AlreadyPledged(")


def test_the_anchoring_side_keeps_only_its_own_reverts() -> None:
    own = {
        name
        for name, value in vars(anchoring_errors).items()
        if isinstance(value, type)
        and issubclass(value, ContractRevert)
        and value.error_name
        and value.__module__ == anchoring_errors.__name__
    }
    assert own == {
        "NotOwner",
        "ZeroAddress",
        "NotAnchorer",
        "TreeSizeNotIncreasing",
        "NoAnchor",
        "AnchorNotFound",
    }


def test_registering_is_idempotent_and_refuses_a_second_class_for_a_name() -> None:
    register_reverts(chain_errors.AlreadyPledged)  # a module imported twice: no-op
    assert REVERT_ERRORS["AlreadyPledged"] is chain_errors.AlreadyPledged

    class Impostor(ContractRevert):
        error_name = "AlreadyPledged"

    class Nameless(ContractRevert):
        pass

    with pytest.raises(anchoring_errors.ChainError, match="already registered"):
        register_reverts(Impostor)
    with pytest.raises(anchoring_errors.ChainError, match="error_name"):
        register_reverts(Nameless)
    assert REVERT_ERRORS["AlreadyPledged"] is chain_errors.AlreadyPledged
    assert REVERT_ERRORS["NotOwner"] is NotOwner
