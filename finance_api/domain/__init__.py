"""The finance domain: money, collateral rules, receipts, loans and lines, and their errors.

Pure rules here, free of HTTP, SQL and the clock; the finance service's projections and
routers apply them, and the simulation uses the same functions, so a rule is written once.
"""
