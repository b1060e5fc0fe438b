"""The anchor flow once on web3's in-process EVM (py-evm), the demo's default chain.

Proves the committed bytecode (evmVersion cancun) runs on py-evm as well as on anvil, and
that eth-tester's differently shaped reverts decode to the same named errors.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes

from ledger.anchoring import Chain, LedgerAnchorClient, TxOptions
from ledger.anchoring.errors import NoAnchor, NotAnchorer, TreeSizeNotIncreasing

LEDGER = hashlib.sha256(b"ledger:in-process").digest()
ROOT = hashlib.sha256(b"root").digest()


def test_anchor_flow_in_process() -> None:
    chain = Chain.in_process()
    owner, anchorer, stranger = chain.dev_accounts()[:3]
    anchors = LedgerAnchorClient.deploy(chain, sender=owner)
    with pytest.raises(NoAnchor):
        anchors.latest(LEDGER)
    chain.wait(anchors.set_anchorer(LEDGER, anchorer, sender=owner))
    with pytest.raises(NotAnchorer) as refused:
        anchors.anchor(LEDGER, 3, ROOT, sender=stranger)
    assert refused.value.revert_args == {"ledgerId": LEDGER, "caller": stranger}

    outcome = chain.wait(anchors.anchor(LEDGER, 3, ROOT, sender=anchorer))
    [event] = anchors.decode_events(outcome)
    assert event.args == {"ledgerId": LEDGER, "index": 0, "treeSize": 3, "root": ROOT}
    latest = anchors.latest(LEDGER)
    assert (latest.tree_size, latest.root, latest.block_number) == (3, ROOT, outcome.block_number)

    with pytest.raises(TreeSizeNotIncreasing):
        anchors.anchor(LEDGER, 3, ROOT, sender=anchorer)
    mined_anyway = anchors.anchor(
        LEDGER, 2, ROOT, sender=anchorer, options=TxOptions(gas=150_000, simulate=False)
    )
    with pytest.raises(TreeSizeNotIncreasing):
        chain.wait(mined_anyway)

    chain.mine(4)
    assert chain.wait(outcome.tx_hash, confirmations=5).confirmations >= 5
    assert anchors.count(LEDGER) == 1


def test_a_send_that_would_repeat_a_transaction_on_record_is_signed_anew() -> None:
    chain = Chain.in_process()
    owner = chain.dev_accounts()[0]
    signer: LocalAccount = Account.create()
    chain.wait(
        bytes(chain.w3.eth.send_transaction({"from": owner, "to": signer.address, "value": 10**18}))
    )
    anchors = LedgerAnchorClient.deploy(chain, sender=owner)
    chain.wait(anchors.set_anchorer(LEDGER, signer.address, sender=owner))
    fees = {"maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9}
    params = {"from": signer.address, "nonce": 0, "gas": 150_000, **fees}
    built = anchors.contract.functions.anchor(LEDGER, 3, ROOT).build_transaction(params)
    same = bytes(signer.sign_transaction(built).hash)  # signing is deterministic
    options = TxOptions(
        nonce=0, gas=150_000, max_fee_per_gas=10**10, max_priority_fee_per_gas=10**9
    )

    sent = anchors.anchor(
        LEDGER, 3, ROOT, sender=signer, options=replace(options, avoid=frozenset({same}))
    )
    assert sent != same
    mined = chain.w3.eth.get_transaction(HexBytes(sent))
    assert (mined["nonce"], mined["maxFeePerGas"], mined["maxPriorityFeePerGas"]) == (
        0,
        10**10 + 1,
        10**9 + 1,
    )
    chain.wait(sent)
    assert anchors.latest(LEDGER).tree_size == 3
