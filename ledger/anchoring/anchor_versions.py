"""Which anchor contract an address holds, and the one new ledgers are anchored on.

``LedgerAnchorV2`` (events under one running commitment, about 32,000 gas an anchor) is
the default for new deployments; ``LedgerAnchor`` (v1, a storage slot per anchor, about
75,000) stays readable and writable, so a ledger anchored on it keeps its proofs. Moving a
ledger to v2 is a configuration change: deploy v2 (``threeflow anchor deploy``), set the
anchorer on it (``threeflow anchor set-anchorer``), point ``THREEFLOW_ANCHOR_CONTRACT`` at
it. The next anchor lands on v2 even at a size v1 already holds; the v1 rows stay, and
``threeflow verify`` checks each anchor on the contract it names (``--contract`` once per
contract the ledger was anchored on, to check both against addresses the auditor trusts).
"""

from __future__ import annotations

from ledger.anchoring.anchor_client import AnchorContractClient, LedgerAnchorClient
from ledger.anchoring.anchor_v2_client import LedgerAnchorV2Client
from ledger.anchoring.chain import Chain, Sender
from ledger.anchoring.contract import address
from ledger.anchoring.errors import ChainError, CouldNotCheck, TransactionReverted

#: Contract versions by number, the newest last (the one :func:`deploy_anchor` deploys).
VERSIONS: dict[int, type[AnchorContractClient]] = {1: LedgerAnchorClient, 2: LedgerAnchorV2Client}
LATEST = max(VERSIONS)


def open_anchor_client(chain: Chain, contract: str) -> AnchorContractClient:
    """The client for the anchor contract at ``contract``, whichever version it is.

    No code at the address is :class:`CouldNotCheck`; a v1 contract has no ``version()``
    and reverts when asked, which is how it is told from v2.
    """
    checked = address(contract, "contract")
    with chain.translating():
        code = chain.w3.eth.get_code(checked)
    if not code:
        raise CouldNotCheck(f"no contract at {checked} on chain {chain.chain_id}")
    v2 = LedgerAnchorV2Client(chain, checked)
    try:
        version = v2.version()
    except TransactionReverted:
        return LedgerAnchorClient(chain, checked)
    if version not in VERSIONS:
        raise ChainError(f"{checked} says it is anchor contract version {version}: unknown")
    return v2 if version == 2 else VERSIONS[version](chain, checked)


def deploy_anchor(chain: Chain, *, sender: Sender, version: int = LATEST) -> AnchorContractClient:
    """Deploys an anchor contract of ``version`` (the newest unless told) owned by ``sender``."""
    if version not in VERSIONS:
        raise ChainError(f"no anchor contract version {version} (known: {sorted(VERSIONS)})")
    return VERSIONS[version].deploy(chain, sender=sender)
