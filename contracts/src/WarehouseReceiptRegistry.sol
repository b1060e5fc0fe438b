// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title WarehouseReceiptRegistry
/// @notice A registry of warehouse receipts that every lender shares, so the same stock
///         cannot be pledged to two lenders at once.
/// @dev Receipts are keyed by the hash of the receipt document; the document itself stays
///      off chain. Warehouses are admitted by the owner and register receipts for a holder.
///      The holder pledges a receipt to one lender at a time; only that lender releases it;
///      the issuing warehouse cancels it only while it is not pledged. A second pledge of a
///      pledged receipt fails whoever asks, which is the check a single platform's own
///      database cannot give to lenders who do not share it.
contract WarehouseReceiptRegistry {
    /// @notice Life-cycle state of a receipt. `None` means never registered.
    enum Status {
        None,
        Registered,
        Pledged,
        Cancelled
    }

    /// @notice A receipt as the registry knows it.
    /// @param warehouse The admitted warehouse that issued it.
    /// @param status Its current state.
    /// @param holder Who owns the goods and may pledge the receipt.
    /// @param pledgee The lender it is pledged to, or zero.
    struct Receipt {
        address warehouse;
        Status status;
        address holder;
        address pledgee;
    }

    /// @notice Address allowed to admit warehouses and hand over ownership.
    address public owner;

    /// @notice Whether an address is an admitted warehouse.
    mapping(address warehouse => bool admitted) public isWarehouse;

    mapping(bytes32 documentHash => Receipt) private _receipts;

    /// @notice Ownership moved from `previousOwner` to `newOwner`.
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// @notice `warehouse` may now register receipts.
    event WarehouseAdmitted(address indexed warehouse);

    /// @notice `warehouse` registered the receipt `documentHash` for `holder`.
    event ReceiptRegistered(
        bytes32 indexed documentHash, address indexed warehouse, address indexed holder
    );

    /// @notice `holder` pledged the receipt `documentHash` to `pledgee`.
    event ReceiptPledged(bytes32 indexed documentHash, address indexed holder, address indexed pledgee);

    /// @notice `pledgee` released its pledge on the receipt `documentHash`.
    event ReceiptReleased(bytes32 indexed documentHash, address indexed pledgee);

    /// @notice `warehouse` cancelled the receipt `documentHash`.
    event ReceiptCancelled(bytes32 indexed documentHash, address indexed warehouse);

    /// @notice The caller is not the owner.
    error NotOwner(address caller);

    /// @notice The zero address was given where a real account is required.
    error ZeroAddress();

    /// @notice `warehouse` is already admitted.
    error AlreadyAdmitted(address warehouse);

    /// @notice The caller is not an admitted warehouse.
    error NotAdmittedWarehouse(address caller);

    /// @notice A receipt with `documentHash` is already registered.
    error AlreadyRegistered(bytes32 documentHash);

    /// @notice No receipt with `documentHash` is registered.
    error UnknownReceipt(bytes32 documentHash);

    /// @notice The receipt is cancelled; nothing more can happen to it.
    error AlreadyCancelled(bytes32 documentHash);

    /// @notice The receipt is already pledged to `pledgee`.
    error AlreadyPledged(bytes32 documentHash, address pledgee);

    /// @notice The caller is not the holder of the receipt.
    error NotHolder(bytes32 documentHash, address caller);

    /// @notice The receipt is not pledged, so there is nothing to release.
    error NotPledged(bytes32 documentHash);

    /// @notice The caller is not the lender the receipt is pledged to.
    error NotPledgee(bytes32 documentHash, address caller);

    /// @notice The caller is not the warehouse that issued the receipt.
    error NotIssuer(bytes32 documentHash, address caller);

    /// @notice A pledged receipt cannot be cancelled until `pledgee` releases it.
    error StillPledged(bytes32 documentHash, address pledgee);

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    /// @notice Deploys with the sender as owner and no admitted warehouses.
    constructor() {
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
    }

    /// @notice Hands ownership to `newOwner`, so an owner key can be rotated.
    /// @param newOwner The next owner; must not be the zero address.
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    /// @notice Admits `warehouse`, letting it register receipts.
    /// @param warehouse The warehouse's address.
    function admitWarehouse(address warehouse) external onlyOwner {
        if (warehouse == address(0)) revert ZeroAddress();
        if (isWarehouse[warehouse]) revert AlreadyAdmitted(warehouse);
        isWarehouse[warehouse] = true;
        emit WarehouseAdmitted(warehouse);
    }

    /// @notice Registers the receipt whose document hashes to `documentHash`, held by `holder`.
    /// @dev Only an admitted warehouse; a document hash can be registered once, ever.
    /// @param documentHash Hash of the receipt document.
    /// @param holder Who owns the goods and may pledge the receipt.
    function register(bytes32 documentHash, address holder) external {
        if (!isWarehouse[msg.sender]) revert NotAdmittedWarehouse(msg.sender);
        if (holder == address(0)) revert ZeroAddress();
        if (_receipts[documentHash].status != Status.None) revert AlreadyRegistered(documentHash);
        _receipts[documentHash] = Receipt({
            warehouse: msg.sender,
            status: Status.Registered,
            holder: holder,
            pledgee: address(0)
        });
        emit ReceiptRegistered(documentHash, msg.sender, holder);
    }

    /// @notice Pledges the receipt `documentHash` to the lender `pledgee`.
    /// @dev The state is checked before the caller, so a second pledge fails with
    ///      `AlreadyPledged` whoever asks. Only the holder pledges a free receipt.
    /// @param documentHash Hash of the receipt document.
    /// @param pledgee The lender taking the pledge.
    function pledge(bytes32 documentHash, address pledgee) external {
        Receipt storage receipt = _existing(documentHash);
        Status status = receipt.status;
        if (status == Status.Cancelled) revert AlreadyCancelled(documentHash);
        if (status == Status.Pledged) revert AlreadyPledged(documentHash, receipt.pledgee);
        if (msg.sender != receipt.holder) revert NotHolder(documentHash, msg.sender);
        if (pledgee == address(0)) revert ZeroAddress();
        receipt.status = Status.Pledged;
        receipt.pledgee = pledgee;
        emit ReceiptPledged(documentHash, msg.sender, pledgee);
    }

    /// @notice Releases the pledge on `documentHash`; the holder may pledge it again.
    /// @dev Only the lender the receipt is pledged to.
    /// @param documentHash Hash of the receipt document.
    function release(bytes32 documentHash) external {
        Receipt storage receipt = _existing(documentHash);
        if (receipt.status != Status.Pledged) revert NotPledged(documentHash);
        if (msg.sender != receipt.pledgee) revert NotPledgee(documentHash, msg.sender);
        receipt.status = Status.Registered;
        receipt.pledgee = address(0);
        emit ReceiptReleased(documentHash, msg.sender);
    }

    /// @notice Cancels the receipt `documentHash`, for good (the goods left the warehouse).
    /// @dev Only the issuing warehouse, and only while the receipt is not pledged.
    /// @param documentHash Hash of the receipt document.
    function cancel(bytes32 documentHash) external {
        Receipt storage receipt = _existing(documentHash);
        if (msg.sender != receipt.warehouse) revert NotIssuer(documentHash, msg.sender);
        Status status = receipt.status;
        if (status == Status.Cancelled) revert AlreadyCancelled(documentHash);
        if (status == Status.Pledged) revert StillPledged(documentHash, receipt.pledgee);
        receipt.status = Status.Cancelled;
        emit ReceiptCancelled(documentHash, msg.sender);
    }

    /// @notice The receipt registered under `documentHash`.
    /// @dev Reverts with `UnknownReceipt` when none is registered.
    /// @param documentHash Hash of the receipt document.
    /// @return The receipt.
    function getReceipt(bytes32 documentHash) external view returns (Receipt memory) {
        return _existing(documentHash);
    }

    function _existing(bytes32 documentHash) private view returns (Receipt storage receipt) {
        receipt = _receipts[documentHash];
        if (receipt.status == Status.None) revert UnknownReceipt(documentHash);
    }
}
