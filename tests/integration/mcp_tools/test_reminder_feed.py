"""Due reminders across tenants for call-outs, and marking them delivered."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from mcp_tools.db.base import utcnow
from mcp_tools.db.models import Reminder, User
from mcp_tools.db.session import Database
from mcp_tools.services.reminders import ReminderFeed


async def test_due_reminders(seeded_db: tuple[Database, int]) -> None:
    db, tenant = seeded_db
    now = utcnow()
    async with db.scoped(tenant) as s, s.begin():
        maria = (await s.execute(select(User).where(User.user_number == "104"))).scalar_one()
        due = Reminder(user_id=maria.id, text="stand-up", remind_at=now - timedelta(minutes=1))
        later = Reminder(user_id=maria.id, text="later", remind_at=now + timedelta(hours=1))
        s.add_all([due, later])
        await s.flush()
        due_id = due.id
    feed = ReminderFeed(db)
    found = [r for r in await feed.due(now) if r.reminder_id in (due_id, due_id + 1)]
    assert [(r.text, r.user_name, r.phones) for r in found] == [
        ("stand-up", "Maria Garcia", ("+15550114",))
    ]
    await feed.mark(tenant, due_id)
    assert due_id not in [r.reminder_id for r in await feed.due(now)]
