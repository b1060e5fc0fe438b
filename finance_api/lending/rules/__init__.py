"""Pure lending rules: credit lines, interest, delinquency, exposure, fraud, policy, alerts.

Nothing here imports SQLAlchemy, FastAPI or the log's storage (an import-linter contract
says so): the rules are tested exhaustively on values and reused by projectors and routes.
"""
