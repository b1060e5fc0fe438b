"""Chain failures as ledger errors, and contract reverts decoded into named exceptions.

A caller (the anchoring service, the finance API) must tell "the node is down, try again
later" from "the contract refused: this receipt is already pledged". So every chain
failure is a :class:`ChainError` (a :class:`~ledger.errors.LedgerError`), and a revert
carrying one of our contracts' custom errors becomes the subclass of that name, with the
error's arguments decoded from the revert data by its 4-byte selector.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from eth_abi.abi import decode as abi_decode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

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


class ChainUnavailable(ChainError):
    """The node cannot be reached or did not answer in time; nothing was decided."""

    code = "chain_unavailable"
    status = 503


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


class AlreadyAdmitted(_Conflict):
    """The warehouse is already admitted."""

    error_name = "AlreadyAdmitted"


class NotAdmittedWarehouse(_Forbidden):
    """The sender is not an admitted warehouse."""

    error_name = "NotAdmittedWarehouse"


class AlreadyRegistered(_Conflict):
    """A receipt with that document hash already exists."""

    error_name = "AlreadyRegistered"


class UnknownReceipt(_Missing):
    """No receipt with that document hash."""

    error_name = "UnknownReceipt"


class AlreadyCancelled(_Conflict):
    """The receipt is cancelled."""

    error_name = "AlreadyCancelled"


class AlreadyPledged(_Conflict):
    """The receipt is already pledged: the double pledge, refused whoever asks."""

    error_name = "AlreadyPledged"


class NotHolder(_Forbidden):
    """Only the receipt's holder may pledge it."""

    error_name = "NotHolder"


class NotPledged(_Conflict):
    """The receipt is not pledged, so there is nothing to release."""

    error_name = "NotPledged"


class NotPledgee(_Forbidden):
    """Only the lender holding the pledge may release it."""

    error_name = "NotPledgee"


class NotIssuer(_Forbidden):
    """Only the warehouse that issued the receipt may cancel it."""

    error_name = "NotIssuer"


class StillPledged(_Conflict):
    """A pledged receipt cannot be cancelled."""

    error_name = "StillPledged"


REVERT_ERRORS: Mapping[str, type[ContractRevert]] = {
    cls.error_name: cls
    for cls in (
        NotOwner,
        ZeroAddress,
        NotAnchorer,
        TreeSizeNotIncreasing,
        NoAnchor,
        AnchorNotFound,
        AlreadyAdmitted,
        NotAdmittedWarehouse,
        AlreadyRegistered,
        UnknownReceipt,
        AlreadyCancelled,
        AlreadyPledged,
        NotHolder,
        NotPledged,
        NotPledgee,
        NotIssuer,
        StillPledged,
    )
}


class RevertDecoder:
    """Maps revert data to exceptions, using the custom errors declared in some ABIs.

    Built from ABIs rather than hard-coded selectors, so a recompiled contract whose error
    signature changed is caught by the test that every ABI error has a Python class.
    """

    def __init__(self, abis: Iterable[Iterable[Mapping[str, Any]]]) -> None:
        self._by_selector: dict[bytes, tuple[str, list[str], list[str]]] = {}
        for abi in abis:
            for item in abi:
                if item.get("type") != "error":
                    continue
                types = [str(i["type"]) for i in item["inputs"]]
                names = [str(i["name"]) for i in item["inputs"]]
                selector = keccak(text=f"{item['name']}({','.join(types)})")[:4]
                self._by_selector[selector] = (str(item["name"]), types, names)

    @property
    def error_names(self) -> frozenset[str]:
        """Names of every custom error this decoder knows."""
        return frozenset(name for name, _, _ in self._by_selector.values())

    def exception(self, data: bytes) -> TransactionReverted:
        """The exception that revert ``data`` stands for; never raises itself."""
        known = self._by_selector.get(data[:4])
        if known is None and data[:4] in _BUILTIN:
            return _builtin(data)
        if known is None:
            return TransactionReverted(f"reverted with unrecognised data 0x{data.hex()}", data=data)
        name, types, names = known
        cls = REVERT_ERRORS.get(name)
        try:
            values = abi_decode(types, data[4:])
        except Exception:  # malformed data must still become a ChainError
            return TransactionReverted(f"{name} with undecodable arguments", data=data)
        if cls is None:
            return TransactionReverted(f"{name}{tuple(values)} has no Python class", data=data)
        return cls(
            {n: _normalise(t, v) for n, t, v in zip(names, types, values, strict=True)}, data=data
        )


_ERROR_STRING = keccak(text="Error(string)")[:4]
_PANIC = keccak(text="Panic(uint256)")[:4]
_BUILTIN = {_ERROR_STRING: "string", _PANIC: "uint256"}


def _builtin(data: bytes) -> TransactionReverted:
    """Solidity's own reverts: ``require(cond, "reason")`` and panics (overflow, assert)."""
    try:
        [value] = abi_decode([_BUILTIN[data[:4]]], data[4:])
    except Exception:  # malformed data must still become a ChainError
        return TransactionReverted("reverted with malformed Error/Panic data", data=data)
    if data[:4] == _PANIC:
        return TransactionReverted(f"panic 0x{value:02x}", data=data)
    return TransactionReverted(f"reverted: {value}", data=data)


def _normalise(abi_type: str, value: Any) -> Any:
    return to_checksum_address(value) if abi_type == "address" else value
