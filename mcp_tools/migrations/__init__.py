"""Alembic migrations for the team data (shipped inside the package)."""
