"""Call-outs and callbacks: reminder delivery attempts, department todos, call direction.

Revision ID: 0003_call_outs
Revises: 0002_calendar
Create Date: 2026-11-26 09:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_call_outs"
down_revision = "0002_calendar"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("last_error", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("todos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_todos_department_id"), ["department_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_todos_department_id_departments"),
            "departments",
            ["department_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("direction", sa.String(length=8), nullable=False, server_default="inbound")
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_column("direction")
    with op.batch_alter_table("todos", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_todos_department_id_departments"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_todos_department_id"))
        batch_op.drop_column("department_id")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_column("delivered_at")
        batch_op.drop_column("last_error")
        batch_op.drop_column("attempts")
