"""Alembic migration scripts (one linear chain)."""
