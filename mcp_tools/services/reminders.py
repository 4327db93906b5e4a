"""Due reminders for the telephony side's call-outs, and what became of each call-out.

A reminder is ``pending`` until its time comes; the dialer :meth:`ReminderFeed.claim` s it
(``calling``, one more attempt) so two dialers never ring the same reminder; the call's
result then makes it ``done`` (the user said so), ``sent`` (heard, nothing chosen),
``pending`` again (snoozed, or a failed attempt to retry later) or ``failed`` (out of
attempts). Every outcome is audited.

The dialer is cross-tenant by nature, so :meth:`ReminderFeed.due` and
:meth:`ReminderFeed.release_stale` are the reads that use an unscoped session; everything
about one reminder is scoped to its tenant again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from mcp_tools.audit import record
from mcp_tools.db.base import utcnow
from mcp_tools.db.models import Reminder, Tenant, User, UserPhone
from mcp_tools.db.session import Database
from mcp_tools.errors import InvalidInput, NotFound
from mcp_tools.policy import Actor, Role

OUTCOMES = ("done", "sent", "snoozed", "failed")


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
    attempts: int = 0
    timezone: str = "UTC"


@dataclass(frozen=True)
class ReminderResult:
    """Where a reminder stands after a call-out."""

    status: str
    remind_at: datetime
    attempts: int
    last_error: str


def _system(tenant_id: int, call_id: str | None) -> Actor:
    return Actor(tenant_id, None, Role.ADMIN, "voice", call_id, "reminder call-out")


class ReminderFeed:
    """Reads due reminders, claims them for a call-out and records each call-out's result."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def due(self, now: datetime | None = None, limit: int = 100) -> list[DueReminder]:
        """Pending reminders at or before ``now`` (all tenants), oldest first."""
        at = now or utcnow()
        async with self.db.unscoped() as session:
            rows = (
                await session.execute(
                    select(Reminder, User.name, User.timezone, Tenant.timezone)
                    .join(User, User.id == Reminder.user_id)
                    .join(Tenant, Tenant.id == Reminder.tenant_id)
                    .where(
                        Reminder.status == "pending",
                        Reminder.remind_at <= at,
                        User.active.is_(True),
                    )
                    .order_by(Reminder.remind_at)
                    .limit(limit)
                )
            ).all()
            user_ids = {r.user_id for r, *_ in rows}
            phones: dict[int, list[str]] = {}
            if user_ids:
                for uid, number in await session.execute(
                    select(UserPhone.user_id, UserPhone.number)
                    .where(UserPhone.user_id.in_(user_ids))
                    .order_by(UserPhone.id)
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
                    r.attempts,
                    user_tz or tenant_tz or "UTC",
                )
                for r, name, user_tz, tenant_tz in rows
            ]

    async def claim(self, tenant_id: int, reminder_id: int) -> bool:
        """Take a pending reminder for a call-out (one more attempt); False if it is not
        pending any more (another dialer took it, or the user cancelled it)."""
        async with self.db.scoped(tenant_id) as session, session.begin():
            result = await session.execute(
                update(Reminder)
                .where(Reminder.id == reminder_id, Reminder.status == "pending")
                .values(status="calling", attempts=Reminder.attempts + 1, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            return bool(getattr(result, "rowcount", 0))

    async def finish(
        self,
        tenant_id: int,
        reminder_id: int,
        outcome: str,
        *,
        snooze_minutes: int = 10,
        error: str = "",
        retry_after_s: float = 300.0,
        max_attempts: int = 3,
        call_id: str | None = None,
        now: datetime | None = None,
    ) -> ReminderResult:
        """Record a call-out's result: ``done``, ``sent`` (heard, no choice), ``snoozed``
        (rings again in ``snooze_minutes``) or ``failed`` (retried after ``retry_after_s``
        until ``max_attempts`` call-outs were placed)."""
        if outcome not in OUTCOMES:
            raise InvalidInput(f"A call-out ends {', '.join(OUTCOMES)}; not {outcome!r}.")
        at = now or utcnow()
        async with self.db.scoped(tenant_id) as session, session.begin():
            reminder = await session.get(Reminder, reminder_id)
            if reminder is None:
                raise NotFound(f"There is no reminder {reminder_id}.")
            detail: dict[str, object] = {"attempt": reminder.attempts}
            if outcome in ("done", "sent"):
                reminder.status = outcome
                reminder.delivered_at = at
            elif outcome == "snoozed":
                minutes = max(1, min(snooze_minutes, 24 * 60))
                reminder.status = "pending"
                reminder.delivered_at = at
                reminder.remind_at = at + timedelta(minutes=minutes)
                reminder.attempts = 0
                detail["minutes"] = minutes
            else:
                reminder.last_error = error[:300]
                detail["error"] = error[:200]
                if reminder.attempts < max_attempts:
                    reminder.status = "pending"
                    reminder.remind_at = at + timedelta(seconds=retry_after_s)
                    detail["retry_at"] = reminder.remind_at.isoformat()
                else:
                    reminder.status = "failed"
            record(
                session,
                _system(tenant_id, call_id),
                f"reminder.call.{outcome}",
                "reminder",
                reminder.id,
                outcome="ok" if outcome != "failed" else "error",
                detail=detail,
            )
            return ReminderResult(
                reminder.status, reminder.remind_at, reminder.attempts, reminder.last_error
            )

    async def mark(self, tenant_id: int, reminder_id: int, status: str = "sent") -> None:
        """Record that a reminder was delivered (``sent``) or could not be (``failed``)."""
        if status not in ("sent", "failed"):
            raise InvalidInput("A delivered reminder is either sent or failed.")
        await self.finish(tenant_id, reminder_id, status, max_attempts=0)

    async def release_stale(self, older_than_s: float, now: datetime | None = None) -> int:
        """Put reminders stuck in ``calling`` (the dialer died mid-call) back to pending."""
        cutoff = (now or utcnow()) - timedelta(seconds=older_than_s)
        async with self.db.unscoped() as session, session.begin():
            result = await session.execute(
                update(Reminder)
                .where(Reminder.status == "calling", Reminder.updated_at < cutoff)
                .values(status="pending", last_error="call-out interrupted")
                .execution_options(synchronize_session=False)
            )
            return int(getattr(result, "rowcount", 0) or 0)
