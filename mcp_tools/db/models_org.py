"""Organisation models: tenants and their numbers, users, teams, departments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mcp_tools.db.base import Base, TenantOwned, UTCDateTime, utcnow


class Tenant(Base):
    """An organisation using Switchboard; everything else belongs to exactly one tenant."""

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    pin_length: Mapped[int] = mapped_column(Integer, default=6, server_default="6")
    """How many digits new PINs must have (4 to 6; existing PINs keep working)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    dids: Mapped[list[TenantDid]] = relationship(
        back_populates="tenant", cascade="all, delete-orphan", lazy="raise_on_sql"
    )


class TenantDid(TenantOwned, Base):
    """A dialled number (DID) that reaches a tenant; unique across all tenants."""

    __tablename__ = "tenant_dids"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    did: Mapped[str] = mapped_column(String(32), unique=True)

    tenant: Mapped[Tenant] = relationship(back_populates="dids", lazy="raise_on_sql")


class User(TenantOwned, Base):
    """A person in a tenant: voice identity (name, aliases, numbers), PIN state and role."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("tenant_id", "user_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    user_number: Mapped[str] = mapped_column(String(12))
    """Digits a caller keys in to say who they are when caller ID does not tell."""
    email: Mapped[str | None] = mapped_column(String(200), default=None)
    role: Mapped[str] = mapped_column(String(16), default="member")
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    pin_hash: Mapped[str | None] = mapped_column(String(100), default=None)
    pin_failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    pin_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When the last counted PIN failure happened (counts decay from there)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    phones: Mapped[list[UserPhone]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="raise_on_sql"
    )


class UserPhone(TenantOwned, Base):
    """A caller-ID number known to belong to a user (unique within a tenant)."""

    __tablename__ = "user_phones"
    __table_args__ = (UniqueConstraint("tenant_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(32))

    user: Mapped[User] = relationship(back_populates="phones", lazy="raise_on_sql")


class Team(TenantOwned, Base):
    """A named group of users inside a tenant."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[TeamMember]] = relationship(
        back_populates="team", cascade="all, delete-orphan", lazy="raise_on_sql"
    )


class TeamMember(TenantOwned, Base):
    """A user's membership of a team, with the team role (owner/admin/member/viewer)."""

    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="member")

    team: Mapped[Team] = relationship(back_populates="members", lazy="raise_on_sql")
    user: Mapped[User] = relationship(lazy="raise_on_sql")


class Department(TenantOwned, Base):
    """A human department callers can be transferred to (an Asterisk queue)."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("tenant_id", "name"), UniqueConstraint("queue"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    queue: Mapped[str] = mapped_column(String(20))
    """Queue number: the dialplan target is ``ext-queues,<queue>,1``. Unique across tenants:
    one PBX has one queue per number, so a shared number would ring another tenant's agents."""
    description: Mapped[str] = mapped_column(String(300), default="")
    open_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """``{"mon": [["09:00", "17:00"]], ...}`` in the tenant's timezone; empty = always open."""
