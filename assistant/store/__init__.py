"""The knowledge store: SQLAlchemy models, schema migrations and repository functions."""
