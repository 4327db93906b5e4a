"""Calendar sync and feeds: Google connections, event links, the sync outbox, feed tokens.

Revision ID: 0002_calendar
Revises: 0001
Create Date: 2026-11-26 07:03:00.793861
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_calendar"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "calendar_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("google_id", sa.String(length=1024), nullable=True),
        sa.Column("op", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_calendar_outbox_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_outbox_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_outbox")),
    )
    with op.batch_alter_table("calendar_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_outbox_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_calendar_outbox_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_calendar_outbox_tenant_id"), ["tenant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_calendar_outbox_user_id"), ["user_id"], unique=False)

    op.create_table(
        "feed_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_feed_tokens_team_id_teams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_feed_tokens_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_feed_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_feed_tokens_token_hash")),
    )
    with op.batch_alter_table("feed_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feed_tokens_team_id"), ["team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feed_tokens_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feed_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "google_connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("calendar_id", sa.String(length=300), nullable=False),
        sa.Column("oauth_state", sa.String(length=64), nullable=True),
        sa.Column("code_verifier_enc", sa.Text(), nullable=True),
        sa.Column("refresh_token_enc", sa.Text(), nullable=True),
        sa.Column("access_token_enc", sa.Text(), nullable=True),
        sa.Column("access_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sync_token", sa.Text(), nullable=True),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_google_connections_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_google_connections_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_google_connections")),
        sa.UniqueConstraint("oauth_state", name=op.f("uq_google_connections_oauth_state")),
        sa.UniqueConstraint("user_id", name=op.f("uq_google_connections_user_id")),
    )
    with op.batch_alter_table("google_connections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_google_connections_tenant_id"), ["tenant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_google_connections_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "event_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("google_id", sa.String(length=1024), nullable=False),
        sa.Column("origin", sa.String(length=12), nullable=False),
        sa.Column("etag", sa.String(length=200), nullable=False),
        sa.Column("google_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["google_connections.id"],
            name=op.f("fk_event_links_connection_id_google_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_links_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_event_links_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_links")),
        sa.UniqueConstraint(
            "connection_id", "google_id", name=op.f("uq_event_links_connection_id")
        ),
    )
    with op.batch_alter_table("event_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_links_connection_id"), ["connection_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_links_event_id"), ["event_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_event_links_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("event_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_links_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_event_links_event_id"))
        batch_op.drop_index(batch_op.f("ix_event_links_connection_id"))

    op.drop_table("event_links")
    with op.batch_alter_table("google_connections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_google_connections_user_id"))
        batch_op.drop_index(batch_op.f("ix_google_connections_tenant_id"))

    op.drop_table("google_connections")
    with op.batch_alter_table("feed_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_tokens_user_id"))
        batch_op.drop_index(batch_op.f("ix_feed_tokens_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_feed_tokens_team_id"))

    op.drop_table("feed_tokens")
    with op.batch_alter_table("calendar_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_outbox_user_id"))
        batch_op.drop_index(batch_op.f("ix_calendar_outbox_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_calendar_outbox_status"))
        batch_op.drop_index(batch_op.f("ix_calendar_outbox_event_id"))

    op.drop_table("calendar_outbox")
