// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title LedgerAnchor
/// @notice Public, append-only record of a transparency log's signed tree heads.
/// @dev A ledger is named by a bytes32 id. Each ledger has one anchorer, chosen by the
///      owner, and only that address may anchor it. Tree sizes must strictly grow per
///      ledger, so an anchored history can be extended but never rolled back or rewritten:
///      an operator who rewrites the log cannot anchor a smaller or equal size again.
///      One anchor costs the same gas whether it covers one entry or a million.
contract LedgerAnchor {
    /// @notice One anchored tree head.
    /// @param root RFC 9162 Merkle tree hash of the ledger at `treeSize`.
    /// @param treeSize Number of entries the root covers.
    /// @param blockNumber Block in which the anchor was written.
    /// @param timestamp Timestamp of that block.
    struct Anchor {
        bytes32 root;
        uint64 treeSize;
        uint64 blockNumber;
        uint64 timestamp;
    }

    /// @dev Packed into one slot so `anchor` reads and writes the header once.
    struct Ledger {
        address anchorer;
        uint32 count;
        uint64 latestTreeSize;
    }

    /// @notice Address allowed to choose anchorers and hand over ownership.
    address public owner;

    mapping(bytes32 ledgerId => Ledger) private _ledgers;
    mapping(bytes32 ledgerId => mapping(uint256 index => Anchor)) private _anchors;

    /// @notice Ownership moved from `previousOwner` to `newOwner`.
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// @notice The anchorer of `ledgerId` changed from `previousAnchorer` to `anchorer`.
    event AnchorerSet(
        bytes32 indexed ledgerId, address indexed previousAnchorer, address indexed anchorer
    );

    /// @notice `root` at `treeSize` was anchored for `ledgerId` as anchor number `index`.
    event Anchored(bytes32 indexed ledgerId, uint256 indexed index, uint64 treeSize, bytes32 root);

    /// @notice The caller is not the owner.
    error NotOwner(address caller);

    /// @notice The caller is not the anchorer of `ledgerId`.
    error NotAnchorer(bytes32 ledgerId, address caller);

    /// @notice `treeSize` is not larger than the last anchored size `latestTreeSize`.
    error TreeSizeNotIncreasing(bytes32 ledgerId, uint64 latestTreeSize, uint64 treeSize);

    /// @notice `ledgerId` has never been anchored.
    error NoAnchor(bytes32 ledgerId);

    /// @notice `index` is past the `count` anchors of `ledgerId`.
    error AnchorNotFound(bytes32 ledgerId, uint256 index, uint256 count);

    /// @notice The zero address was given where a real account is required.
    error ZeroAddress();

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    /// @notice Deploys with the sender as owner and no anchorer for any ledger.
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

    /// @notice Sets or changes the one address allowed to anchor `ledgerId`.
    /// @dev Setting the zero address revokes anchoring until a new anchorer is set.
    /// @param ledgerId The ledger's identifier.
    /// @param anchorer The new anchorer.
    function setAnchorer(bytes32 ledgerId, address anchorer) external onlyOwner {
        Ledger storage ledger = _ledgers[ledgerId];
        emit AnchorerSet(ledgerId, ledger.anchorer, anchorer);
        ledger.anchorer = anchorer;
    }

    /// @notice Records that `ledgerId` had Merkle root `root` at size `treeSize`.
    /// @dev Only the ledger's anchorer; `treeSize` must exceed the last anchored size.
    /// @param ledgerId The ledger's identifier.
    /// @param treeSize Number of entries covered by `root`.
    /// @param root RFC 9162 tree hash over those entries.
    /// @return index Position of this anchor in the ledger's anchor list.
    function anchor(bytes32 ledgerId, uint64 treeSize, bytes32 root)
        external
        returns (uint256 index)
    {
        Ledger memory ledger = _ledgers[ledgerId];
        if (msg.sender != ledger.anchorer) revert NotAnchorer(ledgerId, msg.sender);
        if (treeSize <= ledger.latestTreeSize) {
            revert TreeSizeNotIncreasing(ledgerId, ledger.latestTreeSize, treeSize);
        }
        index = ledger.count;
        _anchors[ledgerId][index] = Anchor({
            root: root,
            treeSize: treeSize,
            blockNumber: uint64(block.number),
            timestamp: uint64(block.timestamp)
        });
        _ledgers[ledgerId] = Ledger({
            anchorer: ledger.anchorer,
            count: ledger.count + 1,
            latestTreeSize: treeSize
        });
        emit Anchored(ledgerId, index, treeSize, root);
    }

    /// @notice The address currently allowed to anchor `ledgerId` (zero if none).
    /// @param ledgerId The ledger's identifier.
    /// @return The anchorer.
    function anchorerOf(bytes32 ledgerId) external view returns (address) {
        return _ledgers[ledgerId].anchorer;
    }

    /// @notice How many anchors `ledgerId` has.
    /// @param ledgerId The ledger's identifier.
    /// @return The number of anchors.
    function anchorCount(bytes32 ledgerId) external view returns (uint256) {
        return _ledgers[ledgerId].count;
    }

    /// @notice The most recent anchor of `ledgerId`.
    /// @dev Reverts with `NoAnchor` when the ledger has never been anchored.
    /// @param ledgerId The ledger's identifier.
    /// @return index Position of the anchor.
    /// @return latestAnchor The anchor itself.
    function latest(bytes32 ledgerId)
        external
        view
        returns (uint256 index, Anchor memory latestAnchor)
    {
        uint256 count = _ledgers[ledgerId].count;
        if (count == 0) revert NoAnchor(ledgerId);
        index = count - 1;
        latestAnchor = _anchors[ledgerId][index];
    }

    /// @notice The anchor of `ledgerId` at position `index` (0 is the first).
    /// @dev Reverts with `AnchorNotFound` when `index` is not below `anchorCount`.
    /// @param ledgerId The ledger's identifier.
    /// @param index Position of the anchor.
    /// @return The anchor.
    function anchorAt(bytes32 ledgerId, uint256 index) external view returns (Anchor memory) {
        uint256 count = _ledgers[ledgerId].count;
        if (index >= count) revert AnchorNotFound(ledgerId, index, count);
        return _anchors[ledgerId][index];
    }
}
