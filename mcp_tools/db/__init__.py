"""Database layer: models, engine/session factory, tenant scoping and migrations."""

import logging

# Alembic narrates every plugin it loads at INFO (on import); only its warnings matter here.
logging.getLogger("alembic").setLevel(logging.WARNING)
