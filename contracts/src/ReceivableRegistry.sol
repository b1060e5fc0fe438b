// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ReceivableRegistry
/// @notice A registry of financed invoices and orders that every lender shares, so the same
///         receivable cannot be financed twice, through one deployment or another.
/// @dev A receivable is keyed by a hash of its document's content (kind, id, seller, debtor,
///      amount, currency, due date), which every deployment computes alike; the document
///      itself stays off chain. The first lender to finance a key holds it, for good: a
///      second `finance` of the same key fails whoever asks, even after the first financing
///      was discharged (a paid invoice is not financed again). Only the financing lender
///      discharges it, which records that the financing closed.
contract ReceivableRegistry {
    /// @notice Life-cycle state of a key. `None` means never financed.
    enum Status {
        None,
        Financed,
        Discharged
    }

    /// @notice A financed receivable as the registry knows it.
    /// @param lender The lender that financed it.
    /// @param status Its current state.
    /// @param ref The financing's own reference (a hash of the act that recorded it), so a
    ///        deployment resending the same act knows the key is held by that act.
    struct Financing {
        address lender;
        Status status;
        bytes32 ref;
    }

    mapping(bytes32 key => Financing) private _financings;

    /// @notice `lender` financed the receivable `key` by the act `ref`.
    event ReceivableFinanced(bytes32 indexed key, address indexed lender, bytes32 ref);

    /// @notice `lender` discharged its financing of the receivable `key`.
    event ReceivableDischarged(bytes32 indexed key, address indexed lender);

    /// @notice The zero address was given where a real account is required.
    error ZeroAddress();

    /// @notice The receivable `key` was financed by `lender` already.
    error AlreadyFinanced(bytes32 key, address lender);

    /// @notice The receivable `key` was never financed.
    error NotFinanced(bytes32 key);

    /// @notice The caller is not the lender that financed `key`.
    error NotFinancier(bytes32 key, address caller);

    /// @notice The financing of `key` was discharged already.
    error AlreadyDischarged(bytes32 key);

    /// @notice Records that `lender` finances the receivable `key`.
    /// @dev The caller must be the lender (its own key signs); the state is checked first,
    ///      so a second financing fails with `AlreadyFinanced` whoever asks.
    /// @param key Content hash of the invoice or order.
    /// @param lender The financing lender; must be the caller.
    /// @param ref The financing act's reference.
    function finance(bytes32 key, address lender, bytes32 ref) external {
        Financing storage held = _financings[key];
        if (held.status != Status.None) revert AlreadyFinanced(key, held.lender);
        if (lender == address(0)) revert ZeroAddress();
        if (lender != msg.sender) revert NotFinancier(key, msg.sender);
        _financings[key] = Financing({lender: lender, status: Status.Financed, ref: ref});
        emit ReceivableFinanced(key, lender, ref);
    }

    /// @notice Records that the financing of `key` closed (settled, written off, refinanced).
    /// @dev Only the financing lender. The key stays taken.
    /// @param key Content hash of the invoice or order.
    function discharge(bytes32 key) external {
        Financing storage held = _financings[key];
        if (held.status == Status.None) revert NotFinanced(key);
        if (held.lender != msg.sender) revert NotFinancier(key, msg.sender);
        if (held.status == Status.Discharged) revert AlreadyDischarged(key);
        held.status = Status.Discharged;
        emit ReceivableDischarged(key, msg.sender);
    }

    /// @notice The financing of `key`: its lender, state and reference (zeros if never).
    /// @param key Content hash of the invoice or order.
    /// @return lender The financing lender, or zero.
    /// @return status The state of the key.
    /// @return ref The financing act's reference, or zero.
    function getFinancing(bytes32 key)
        external
        view
        returns (address lender, Status status, bytes32 ref)
    {
        Financing storage held = _financings[key];
        return (held.lender, held.status, held.ref);
    }
}
