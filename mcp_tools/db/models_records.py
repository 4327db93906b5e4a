"""Record models: calls and their turns, PIN attempts per calling number, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mcp_tools.db.base import Base, TenantOwned, UTCDateTime, utcnow


class Call(TenantOwned, Base):
    """One phone call: who, when, how it ended, its summary and per-stage timings."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(String(80), unique=True)
    """The telephony side's id (the Asterisk channel id)."""
    caller_number: Mapped[str] = mapped_column(String(32), default="")
    did: Mapped[str] = mapped_column(String(32), default="")
    direction: Mapped[str] = mapped_column(String(8), default="inbound", server_default="inbound")
    """``inbound`` (a caller rang us) or ``outbound`` (a reminder call-out)."""
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    outcome: Mapped[str] = mapped_column(String(24), default="in_progress")
    summary: Mapped[str] = mapped_column(Text, default="")
    transferred_to: Mapped[str | None] = mapped_column(String(80), default=None)
    timings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    turns: Mapped[list[CallTurn]] = relationship(
        back_populates="call",
        cascade="all, delete-orphan",
        order_by="CallTurn.seq",
        lazy="raise_on_sql",
    )


class CallTurn(TenantOwned, Base):
    """One utterance in a call transcript (never a PIN), with its stage timings."""

    __tablename__ = "call_turns"
    __table_args__ = (UniqueConstraint("call_pk", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_pk: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    timings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    call: Mapped[Call] = relationship(back_populates="turns", lazy="raise_on_sql")


class PinAttempt(TenantOwned, Base):
    """Failed-PIN state for one calling number (lockout per number, next to per user)."""

    __tablename__ = "pin_attempts"
    __table_args__ = (UniqueConstraint("tenant_id", "caller_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    caller_number: Mapped[str] = mapped_column(String(32))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When the last counted failure happened (counts decay from there)."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AuditEntry(TenantOwned, Base):
    """One audited action (done or refused). Append-only: never updated or deleted."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(Integer, default=None)
    actor: Mapped[str] = mapped_column(String(120), default="")
    channel: Mapped[str] = mapped_column(String(12))
    call_id: Mapped[str | None] = mapped_column(String(80), default=None)
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[str] = mapped_column(String(40), default="")
    outcome: Mapped[str] = mapped_column(String(12))
    """``ok``, ``refused`` (policy), ``rejected`` (bad input / not found) or ``failed``."""
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
