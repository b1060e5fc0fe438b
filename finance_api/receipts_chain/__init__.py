"""Warehouse receipts on the shared on-chain registry: the finance service's chain side.

A receipt pledged through one lender cannot be pledged again through another, because all
of them share one ``WarehouseReceiptRegistry``. This package holds the registry's typed
client (:mod:`.client`), its reverts as finance errors (:mod:`.errors`), and the service
that sends receipt operations and settles them through reorganisations (:mod:`.service`,
with :mod:`.sender`, :mod:`.settler`, :mod:`.probe`, and the ``chain_receipt_ops`` table
in :mod:`.tables` behind :mod:`.store` and :mod:`.journal`). It builds on the generic
chain plumbing of :mod:`ledger.anchoring` (a node connection, contract clients, revert
decoding), which in turn knows nothing of receipts.
"""
