"""Safe on a public PBX: tenant PIN length, decaying PIN failure counts, queue numbers unique
across tenants.

Revision ID: 0004_public_pbx
Revises: 0003_call_outs
Create Date: 2026-12-05 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_public_pbx"
down_revision = "0003_call_outs"
branch_labels = None
depends_on = None


class DuplicateQueueNumbers(RuntimeError):
    """Two tenants share a queue number; an operator must renumber one before upgrading."""


def _refuse_shared_queues() -> None:
    rows = (
        op.get_bind()
        .execute(
            sa.text("SELECT queue, COUNT(*) FROM departments GROUP BY queue HAVING COUNT(*) > 1")
        )
        .all()
    )
    if rows:
        shared = ", ".join(str(r[0]) for r in rows)
        raise DuplicateQueueNumbers(
            f"queue numbers used by more than one department: {shared}. One PBX has one queue "
            "per number, so calls for one tenant would ring another's agents; give each "
            "department its own queue number, then upgrade again (nothing was changed)."
        )


def upgrade() -> None:
    """Apply this revision."""
    _refuse_shared_queues()
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pin_length", sa.Integer(), nullable=False, server_default="6")
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pin_failed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("pin_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_departments_queue"), ["queue"])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_departments_queue"), type_="unique")
    with op.batch_alter_table("pin_attempts", schema=None) as batch_op:
        batch_op.drop_column("failed_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("pin_failed_at")
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("pin_length")
