"""Database layer: models, engine/session factory, tenant scoping and migrations."""
