"""Reminders: create, list, update, cancel, snooze (always the caller's own)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from mcp_tools.db.models import Reminder
from mcp_tools.errors import InvalidInput, NotFound
from mcp_tools.policy import require_write
from mcp_tools.repos.common import iso, listing, moved_to, say, text_arg, when_arg
from mcp_tools.repos.refs import item, pick
from mcp_tools.timeparse import parse_duration_minutes
from mcp_tools.work import Reply, Work
from switchboard.text.matching import content_words


def reminder_data(r: Reminder) -> dict[str, Any]:
    """Structured view of a reminder."""
    return {"id": r.id, "text": r.text, "remind_at": iso(r.remind_at), "status": r.status}


async def _mine(w: Work, reference: str | None) -> Reminder:
    """The caller's reminder the words name (upcoming ones first); "my reminder" is the only
    upcoming one, or a question which."""
    rows = await w.session.execute(
        select(Reminder).where(Reminder.user_id == w.user_id).order_by(Reminder.remind_at)
    )
    mine = list(rows.scalars())
    pending = [r for r in mine if r.status in ("pending", "calling")]
    if not content_words(reference or ""):  # "my reminder": the only one, or a question
        if not pending:
            raise NotFound("You have no upcoming reminders.")
        mine = pending
    return pick(
        w, reference or "", pending or mine, "reminder",
        ident=lambda r: r.id, title=lambda r: r.text, at=lambda r: r.remind_at,
    )  # fmt: skip


def reminder_item(reminder: Reminder) -> dict[str, Any]:
    """``data["item"]`` for a reminder."""
    return item("reminder", reminder.id, reminder.text)


def _pending(reminder: Reminder) -> None:
    if reminder.status != "pending":
        raise InvalidInput(f"The reminder {reminder.text} is already {reminder.status}.")


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
        {"reminder": reminder_data(reminder), "item": reminder_item(reminder)},
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
    lines = [f"{say(r.remind_at, w)}: {r.text}" for r in reminders]
    return Reply(f"You have {listing(lines, 'reminder')}.", data)


async def update_reminder(w: Work, reference: str, text: str | None, when: str | None) -> Reply:
    """Change a pending reminder's text or time."""
    require_write(w.actor, "change reminders")
    reminder = await _mine(w, reference)
    _pending(reminder)
    if text is None and when is None:
        raise InvalidInput("Tell me the new text or the new time for the reminder.")
    if text is not None:
        reminder.text = text_arg(text, "reminder text", 300)
    if when is not None:
        reminder.remind_at = moved_to(w, when, reminder.remind_at)
    w.audit("reminder.update", "reminder", reminder.id)
    await w.session.flush()
    return Reply(
        f"The reminder is now {say(reminder.remind_at, w)}: {reminder.text}.",
        {"reminder": reminder_data(reminder), "item": reminder_item(reminder)},
    )


async def cancel_reminder(w: Work, reference: str, confirm: str | None) -> Reply:
    """Cancel a pending reminder, once the caller has said yes."""
    require_write(w.actor, "cancel reminders")
    reminder = await _mine(w, reference)
    _pending(reminder)
    what = reminder_item(reminder)
    if not w.confirmed(confirm, "reminder.cancel", reminder.id):
        question = f"Cancel the reminder {reminder.text}, {say(reminder.remind_at, w)}? Yes or no?"
        return w.ask_first(question, "reminder.cancel", reminder.id, {"item": what})
    reminder.status = "cancelled"
    w.audit("reminder.cancel", "reminder", reminder.id)
    await w.session.flush()
    data = {"reminder": reminder_data(reminder), "item": what}
    return Reply(f"Cancelled the reminder: {reminder.text}.", data)


async def snooze_reminder(w: Work, reference: str | None, duration: str | None) -> Reply:
    """Push a reminder (the next one due when not named) back by a length of time (default
    ten minutes) from now or its time."""
    require_write(w.actor, "snooze reminders")
    reminder = await _mine(w, reference)
    if reminder.status == "cancelled":
        raise InvalidInput(f"The reminder {reminder.text} was cancelled.")
    minutes = parse_duration_minutes(duration) if duration else 10
    reminder.remind_at = max(reminder.remind_at, w.now) + timedelta(minutes=minutes)
    reminder.status = "pending"
    w.audit("reminder.snooze", "reminder", reminder.id, {"minutes": minutes})
    await w.session.flush()
    return Reply(
        f"Snoozed until {say(reminder.remind_at, w)}: {reminder.text}.",
        {"reminder": reminder_data(reminder), "item": reminder_item(reminder)},
    )
