"""Warehouse-receipt financing as a projection of the ledger: stock the ledger proves,
receipts against it, pledges that never double, loans as postings, revaluation, margin
calls and liquidation. The rules are the finance domain's (:mod:`finance_api.domain`);
this package reads and writes the projection's tables in the append's transaction.
"""
