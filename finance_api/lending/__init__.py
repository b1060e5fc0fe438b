"""Lending on the ledger: revolving credit lines, factoring and advance payment, anti-fraud,
the risk monitor, decisions.

``rules/`` holds the pure rules (no database, no web framework); the projectors, tables,
routes and the webhook outbox around them do the I/O.
"""
