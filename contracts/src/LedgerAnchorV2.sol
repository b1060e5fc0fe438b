// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title LedgerAnchorV2
/// @notice Public, append-only record of a transparency log's tree heads, one event each.
/// @dev LedgerAnchor (v1) keeps every anchor in storage: a fresh slot per anchor, about
///      75,000 gas. This version keeps, per ledger, one slot with the latest tree size and a
///      running commitment to every anchor so far, a hash chain
///          c0 = bytes24(keccak256(abi.encodePacked(ledgerId)))
///          cN = bytes24(keccak256(abi.encodePacked(cN-1, treeSize, root)))
///      and emits each anchor as an `Anchored` event. A verifier reads the events, re-chains
///      them and compares the result with `head()`: an event withheld, altered or added by
///      the node it asks does not re-chain, so the events are as binding as v1's storage.
///      The slot is written non-zero once, when the owner first sets the ledger's anchorer,
///      so every anchor, the first included, rewrites a warm non-zero slot: the same gas
///      for the first anchor or the millionth. The rules are v1's: one anchorer per ledger,
///      chosen by the owner; tree sizes strictly grow.
contract LedgerAnchorV2 {
    /// @dev One slot: 8 bytes of tree size and a 24-byte (192-bit) running commitment.
    struct Head {
        uint64 treeSize;
        bytes24 commitment;
    }

    /// @notice Address allowed to choose anchorers and hand over ownership.
    address public owner;

    /// @notice Block this contract was deployed in: where a verifier starts reading events.
    uint256 public immutable deployedAt;

    mapping(bytes32 ledgerId => address) private _anchorers;
    mapping(bytes32 ledgerId => Head) private _heads;

    /// @notice Ownership moved from `previousOwner` to `newOwner`.
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// @notice The anchorer of `ledgerId` changed from `previousAnchorer` to `anchorer`.
    event AnchorerSet(
        bytes32 indexed ledgerId, address indexed previousAnchorer, address indexed anchorer
    );

    /// @notice `root` at `treeSize` was anchored for `ledgerId`.
    event Anchored(bytes32 indexed ledgerId, uint64 treeSize, bytes32 root);

    /// @notice The caller is not the owner.
    error NotOwner(address caller);

    /// @notice The caller is not the anchorer of `ledgerId`.
    error NotAnchorer(bytes32 ledgerId, address caller);

    /// @notice `treeSize` is not larger than the last anchored size `latestTreeSize`.
    error TreeSizeNotIncreasing(bytes32 ledgerId, uint64 latestTreeSize, uint64 treeSize);

    /// @notice The zero address was given where a real account is required.
    error ZeroAddress();

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    /// @notice Deploys with the sender as owner and no anchorer for any ledger.
    constructor() {
        owner = msg.sender;
        deployedAt = block.number;
        emit OwnershipTransferred(address(0), msg.sender);
    }

    /// @notice Hands ownership to `newOwner`, so an owner key can be rotated.
    /// @param newOwner The next owner; must not be the zero address.
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    /// @notice Sets or changes the one address allowed to anchor `ledgerId`.
    /// @dev Setting the zero address revokes anchoring until a new anchorer is set. The
    ///      first call for a ledger also writes its genesis commitment c0.
    /// @param ledgerId The ledger's identifier.
    /// @param anchorer The new anchorer.
    function setAnchorer(bytes32 ledgerId, address anchorer) external onlyOwner {
        emit AnchorerSet(ledgerId, _anchorers[ledgerId], anchorer);
        _anchorers[ledgerId] = anchorer;
        if (_heads[ledgerId].commitment == bytes24(0)) {
            _heads[ledgerId].commitment = bytes24(keccak256(abi.encodePacked(ledgerId)));
        }
    }

    /// @notice Records that `ledgerId` had Merkle root `root` at size `treeSize`.
    /// @dev Only the ledger's anchorer; `treeSize` must exceed the last anchored size.
    /// @param ledgerId The ledger's identifier.
    /// @param treeSize Number of entries covered by `root`.
    /// @param root RFC 9162 tree hash over those entries.
    function anchor(bytes32 ledgerId, uint64 treeSize, bytes32 root) external {
        if (msg.sender != _anchorers[ledgerId]) revert NotAnchorer(ledgerId, msg.sender);
        Head memory head_ = _heads[ledgerId];
        if (treeSize <= head_.treeSize) {
            revert TreeSizeNotIncreasing(ledgerId, head_.treeSize, treeSize);
        }
        _heads[ledgerId] = Head({
            treeSize: treeSize,
            commitment: bytes24(keccak256(abi.encodePacked(head_.commitment, treeSize, root)))
        });
        emit Anchored(ledgerId, treeSize, root);
    }

    /// @notice The address currently allowed to anchor `ledgerId` (zero if none).
    /// @param ledgerId The ledger's identifier.
    /// @return The anchorer.
    function anchorerOf(bytes32 ledgerId) external view returns (address) {
        return _anchorers[ledgerId];
    }

    /// @notice The latest anchored tree size of `ledgerId` and the commitment to all anchors.
    /// @param ledgerId The ledger's identifier.
    /// @return treeSize The latest anchored size (0 if none).
    /// @return commitment The running commitment (c0 before the first anchor; zero if the
    ///         ledger never had an anchorer).
    function head(bytes32 ledgerId) external view returns (uint64 treeSize, bytes24 commitment) {
        Head memory head_ = _heads[ledgerId];
        return (head_.treeSize, head_.commitment);
    }

    /// @notice This contract's version: 2 (v1 has no such function).
    /// @return The version.
    function version() external pure returns (uint256) {
        return 2;
    }
}
