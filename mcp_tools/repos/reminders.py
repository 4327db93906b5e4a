"""Reminders: create, list, update, cancel, snooze (always the caller's own)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from mcp_tools.db.models import Reminder
from mcp_tools.errors import InvalidInput, NotFound
from mcp_tools.policy import require_write
from mcp_tools.repos.common import iso, listing, require_id, say, text_arg, when_arg
from mcp_tools.timeparse import parse_duration_minutes
from mcp_tools.work import Reply, Work


def reminder_data(r: Reminder) -> dict[str, Any]:
    """Structured view of a reminder."""
    return {"id": r.id, "text": r.text, "remind_at": iso(r.remind_at), "status": r.status}


async def _mine(w: Work, reminder_id: int) -> Reminder:
    require_id(reminder_id, "reminder")
    row = await w.session.execute(
        select(Reminder).where(Reminder.id == reminder_id, Reminder.user_id == w.user_id)
    )
    reminder = row.scalar_one_or_none()
    if reminder is None:
        raise NotFound(f"I couldn't find reminder {reminder_id}.")
    return reminder


def _pending(reminder: Reminder) -> None:
    if reminder.status != "pending":
        raise InvalidInput(f"Reminder {reminder.id} is already {reminder.status}.")


async def create_reminder(w: Work, text: str, when: str) -> Reply:
    """Remind the caller of ``text`` at ``when``."""
    require_write(w.actor, "set reminders")
    reminder = Reminder(
        user_id=w.user_id, text=text_arg(text, "reminder text", 300), remind_at=when_arg(w, when)
    )
    w.session.add(reminder)
    await w.session.flush()
    w.audit("reminder.create", "reminder", reminder.id)
    return Reply(
        f"I'll remind you {say(reminder.remind_at, w)}: {reminder.text}.",
        {"reminder": reminder_data(reminder)},
    )


async def list_reminders(w: Work, include_past: bool, limit: int) -> Reply:
    """The caller's pending reminders (or all, with ``include_past``)."""
    query = select(Reminder).where(Reminder.user_id == w.user_id)
    if not include_past:
        query = query.where(Reminder.status == "pending")
    rows = await w.session.execute(query.order_by(Reminder.remind_at).limit(max(1, min(limit, 50))))
    reminders = list(rows.scalars().all())
    data = {"reminders": [reminder_data(r) for r in reminders], "count": len(reminders)}
    if not reminders:
        return Reply("You have no reminders.", data)
    lines = [f"number {r.id}, {say(r.remind_at, w)}: {r.text}" for r in reminders]
    return Reply(f"You have {listing(lines, 'reminder')}.", data)


async def update_reminder(w: Work, reminder_id: int, text: str | None, when: str | None) -> Reply:
    """Change a pending reminder's text or time."""
    require_write(w.actor, "change reminders")
    reminder = await _mine(w, reminder_id)
    _pending(reminder)
    if text is None and when is None:
        raise InvalidInput("Tell me the new text or the new time for the reminder.")
    if text is not None:
        reminder.text = text_arg(text, "reminder text", 300)
    if when is not None:
        reminder.remind_at = when_arg(w, when)
    w.audit("reminder.update", "reminder", reminder.id)
    await w.session.flush()
    return Reply(
        f"Reminder {reminder.id} is now {say(reminder.remind_at, w)}: {reminder.text}.",
        {"reminder": reminder_data(reminder)},
    )


async def cancel_reminder(w: Work, reminder_id: int) -> Reply:
    """Cancel a pending reminder."""
    require_write(w.actor, "cancel reminders")
    reminder = await _mine(w, reminder_id)
    _pending(reminder)
    reminder.status = "cancelled"
    w.audit("reminder.cancel", "reminder", reminder.id)
    await w.session.flush()
    return Reply(f"Cancelled the reminder: {reminder.text}.", {"reminder": reminder_data(reminder)})


async def snooze_reminder(w: Work, reminder_id: int, duration: str | None) -> Reply:
    """Push a reminder back by a length of time (default ten minutes) from now or its time."""
    require_write(w.actor, "snooze reminders")
    reminder = await _mine(w, reminder_id)
    if reminder.status == "cancelled":
        raise InvalidInput(f"Reminder {reminder.id} was cancelled.")
    minutes = parse_duration_minutes(duration) if duration else 10
    reminder.remind_at = max(reminder.remind_at, w.now) + timedelta(minutes=minutes)
    reminder.status = "pending"
    w.audit("reminder.snooze", "reminder", reminder.id, {"minutes": minutes})
    await w.session.flush()
    return Reply(
        f"Snoozed until {say(reminder.remind_at, w)}: {reminder.text}.",
        {"reminder": reminder_data(reminder)},
    )
