"""Calendar sync and feed models: Google connections, event links, the outbox, feed tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mcp_tools.db.base import Base, TenantOwned, UTCDateTime, utcnow


class GoogleConnection(TenantOwned, Base):
    """One user's link to a Google calendar: encrypted tokens, sync token and sync status.

    ``status``: ``pending`` (authorization started), ``connected``, ``revoked`` (Google
    refused the refresh token: the user must connect again) or ``disconnected``.
    """

    __tablename__ = "google_connections"
    __table_args__ = (UniqueConstraint("user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    calendar_id: Mapped[str] = mapped_column(String(300), default="primary")
    oauth_state: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    code_verifier_enc: Mapped[str | None] = mapped_column(Text, default=None)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text, default=None)
    access_token_enc: Mapped[str | None] = mapped_column(Text, default=None)
    access_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    sync_token: Mapped[str | None] = mapped_column(Text, default=None)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class EventLink(TenantOwned, Base):
    """A Switchboard event and its Google twin: ids, the etag and times last seen in sync."""

    __tablename__ = "event_links"
    __table_args__ = (UniqueConstraint("connection_id", "google_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), unique=True, index=True
    )
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("google_connections.id", ondelete="CASCADE"), index=True
    )
    google_id: Mapped[str] = mapped_column(String(1024))
    origin: Mapped[str] = mapped_column(String(12), default="switchboard")
    etag: Mapped[str] = mapped_column(String(200), default="")
    google_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarOutbox(TenantOwned, Base):
    """A local change waiting to be pushed to Google (written in the change's transaction).

    ``op``: ``upsert`` or ``delete``; ``status``: ``pending``, ``done`` or ``failed``.
    """

    __tablename__ = "calendar_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(Integer, index=True, default=None)
    google_id: Mapped[str | None] = mapped_column(String(1024), default=None)
    op: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class FeedToken(TenantOwned, Base):
    """A private iCalendar feed URL of a user or a team; only the token's SHA-256 is kept."""

    __tablename__ = "feed_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, default=None
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True, default=None
    )
    created_by: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
