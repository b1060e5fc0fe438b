"""Storage: SQLAlchemy 2 models, engines, and the Alembic migrations that build them."""
