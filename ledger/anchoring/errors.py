"""Chain failures as ledger errors, and the named exceptions contract reverts become.

A caller (the anchoring service, the finance API) must tell "the node is down, try again
later" from "the contract refused: this receipt is already pledged". So every chain
failure is a :class:`ChainError` (a :class:`~ledger.core.errors.LedgerError`), and a
revert carrying a custom error of one of our contracts becomes the :class:`ContractRevert`
subclass registered under that error's name (see :mod:`ledger.anchoring.decoder`).

This module holds the anchor contract's own reverts. Other contracts' reverts belong to
the features that use them and are added with :func:`register_reverts` when their module
is imported (the receipt registry's, for instance, are finance errors), so the log never
imports those features.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

from ledger.core.errors import LedgerError


class ChainError(LedgerError):
    """Root of every failure talking to the chain or its contracts."""

    code = "chain_error"
    status = 502


class ArtifactError(ChainError):
    """A compiled contract artifact is missing or malformed: an install problem."""

    code = "artifact_error"
    status = 500


class BadChainInput(ChainError):
    """An argument for a contract call is malformed (wrong length, not an address)."""

    code = "bad_chain_input"
    status = 422


class CouldNotCheck(ChainError):
    """Nothing was decided: the chain could not be asked (an auditor's exit 2, not 1)."""

    code = "could_not_check"
    status = 503


class ChainUnavailable(CouldNotCheck):
    """The node cannot be reached or did not answer in time; nothing was decided."""

    code = "chain_unavailable"
    status = 503


class NothingChecked(CouldNotCheck):
    """Verification against the chain was asked for, but there was nothing to check it with.

    No trusted contract was given and the ledger names none, or no anchor is deep enough:
    saying "verified" then would reassure about a check that never ran.
    """

    code = "nothing_checked_on_chain"


class TransactionRejected(ChainError):
    """The node refused the transaction itself (nonce too low, fee too low, bad key)."""

    code = "transaction_rejected"


class ConfirmationTimeout(ChainError):
    """The transaction was not mined, or not confirmed deep enough, in time."""

    code = "confirmation_timeout"
    status = 504

    def __init__(self, detail: str, *, tx_hash: bytes) -> None:
        super().__init__(detail)
        self.tx_hash = tx_hash


class TransactionReverted(ChainError):
    """The contract reverted with data none of our custom errors explains (panic, gas)."""

    code = "transaction_reverted"
    status = 409

    def __init__(self, detail: str, *, data: bytes = b"") -> None:
        super().__init__(detail)
        self.data = data


class ContractRevert(TransactionReverted):
    """A revert with one of our contracts' custom errors; subclasses are named after it.

    ``revert_args`` holds the error's arguments by their Solidity names, addresses in
    checksum form and ``bytes32`` values as ``bytes``.
    """

    code = "contract_revert"
    error_name: ClassVar[str] = ""

    def __init__(self, revert_args: Mapping[str, Any], *, data: bytes = b"") -> None:
        shown = ", ".join(f"{k}={_show(v)}" for k, v in revert_args.items())
        super().__init__(f"{self.error_name}({shown})", data=data)
        self.revert_args = dict(revert_args)


def _show(value: Any) -> str:
    return "0x" + value.hex() if isinstance(value, bytes) else str(value)


class _Forbidden(ContractRevert):
    status = 403


class _Conflict(ContractRevert):
    status = 409


class _Missing(ContractRevert):
    status = 404


class NotOwner(_Forbidden):
    """Only the contract owner may do this."""

    error_name = "NotOwner"


class ZeroAddress(ContractRevert):
    """The zero address was given where an account is required."""

    error_name = "ZeroAddress"
    status = 422


class NotAnchorer(_Forbidden):
    """The sender is not the anchorer of that ledger."""

    error_name = "NotAnchorer"


class TreeSizeNotIncreasing(_Conflict):
    """The tree size is not larger than the last one anchored for that ledger."""

    error_name = "TreeSizeNotIncreasing"


class NoAnchor(_Missing):
    """The ledger has never been anchored."""

    error_name = "NoAnchor"


class AnchorNotFound(_Missing):
    """No anchor at that index."""

    error_name = "AnchorNotFound"


_REVERTS: dict[str, type[ContractRevert]] = {}

#: Every registered revert class by its Solidity error name (a live, read-only view).
REVERT_ERRORS: Mapping[str, type[ContractRevert]] = MappingProxyType(_REVERTS)


def register_reverts(*classes: type[ContractRevert]) -> None:
    """Adds revert classes to the table the decoder looks names up in.

    Registering the same class again is a no-op (a module imported twice); a second class
    for a name already taken is refused, so no feature can shadow another's errors.
    """
    for cls in classes:
        if not (isinstance(cls, type) and issubclass(cls, ContractRevert)) or not cls.error_name:
            raise ChainError(f"{cls!r} is not a ContractRevert with an error_name")
        known = _REVERTS.get(cls.error_name)
        if known is not None and known is not cls:
            raise ChainError(
                f"{cls.error_name} is already registered as {known.__module__}.{known.__name__}"
            )
        _REVERTS[cls.error_name] = cls


register_reverts(
    NotOwner, ZeroAddress, NotAnchorer, TreeSizeNotIncreasing, NoAnchor, AnchorNotFound
)
