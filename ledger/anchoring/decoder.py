"""Revert data decoded into the named exceptions of :mod:`ledger.anchoring.errors`.

A revert carries a 4-byte selector and ABI-encoded arguments. The decoder learns the
selectors from contract ABIs and looks the error's name up in the revert table when it
decodes, so reverts registered after the decoder was built (a feature imported later)
still come out as their own class.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from ledger.anchoring.errors import REVERT_ERRORS, TransactionReverted


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
