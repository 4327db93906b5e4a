"""Due reminders for the telephony side's call-outs (and "you have a reminder" on sign-in).

The scheduler is cross-tenant by nature, so :meth:`ReminderFeed.due` is the one read that uses
an unscoped session; marking a reminder delivered is scoped to its tenant again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from mcp_tools.db.base import utcnow
from mcp_tools.db.models import Reminder, User, UserPhone
from mcp_tools.db.session import Database
from mcp_tools.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class DueReminder:
    """A pending reminder whose time has come, with how to reach its user."""

    tenant_id: int
    reminder_id: int
    user_id: int
    user_name: str
    phones: tuple[str, ...]
    text: str
    remind_at: datetime


class ReminderFeed:
    """Reads due reminders and records their delivery."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def due(self, now: datetime | None = None, limit: int = 100) -> list[DueReminder]:
        """Pending reminders at or before ``now`` (all tenants), oldest first."""
        at = now or utcnow()
        async with self.db.unscoped() as session:
            rows = (
                await session.execute(
                    select(Reminder, User.name)
                    .join(User, User.id == Reminder.user_id)
                    .where(
                        Reminder.status == "pending",
                        Reminder.remind_at <= at,
                        User.active.is_(True),
                    )
                    .order_by(Reminder.remind_at)
                    .limit(limit)
                )
            ).all()
            user_ids = {r.user_id for r, _ in rows}
            phones: dict[int, list[str]] = {}
            if user_ids:
                for uid, number in await session.execute(
                    select(UserPhone.user_id, UserPhone.number).where(
                        UserPhone.user_id.in_(user_ids)
                    )
                ):
                    phones.setdefault(uid, []).append(number)
            return [
                DueReminder(
                    r.tenant_id,
                    r.id,
                    r.user_id,
                    name,
                    tuple(phones.get(r.user_id, [])),
                    r.text,
                    r.remind_at,
                )
                for r, name in rows
            ]

    async def mark(self, tenant_id: int, reminder_id: int, status: str = "sent") -> None:
        """Record that a reminder was delivered (``sent``) or could not be (``failed``)."""
        if status not in ("sent", "failed"):
            raise InvalidInput("A delivered reminder is either sent or failed.")
        async with self.db.scoped(tenant_id) as session, session.begin():
            reminder = await session.get(Reminder, reminder_id)
            if reminder is None:
                raise NotFound(f"There is no reminder {reminder_id}.")
            reminder.status = status
