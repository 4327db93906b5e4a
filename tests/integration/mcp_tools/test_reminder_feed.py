"""Due reminders across tenants for call-outs, and marking them delivered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from mcp_tools.db.base import utcnow
from mcp_tools.db.models import Reminder, User
from mcp_tools.db.session import Database
from mcp_tools.errors import InvalidInput
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


async def _due_reminder(db: Database, tenant: int, text: str) -> int:
    async with db.scoped(tenant) as s, s.begin():
        maria = (await s.execute(select(User).where(User.user_number == "104"))).scalar_one()
        reminder = Reminder(user_id=maria.id, text=text, remind_at=utcnow() - timedelta(seconds=5))
        s.add(reminder)
        await s.flush()
        return reminder.id


async def _audits(db: Database, tenant: int, reminder_id: int) -> list[tuple[str, str]]:
    from mcp_tools.db.models import AuditEntry

    async with db.scoped(tenant) as s:
        rows = await s.execute(
            select(AuditEntry.action, AuditEntry.outcome)
            .where(AuditEntry.target_type == "reminder", AuditEntry.target_id == str(reminder_id))
            .order_by(AuditEntry.id)
        )
        return [(a, o) for a, o in rows]


async def test_a_claimed_reminder_is_not_due_and_cannot_be_claimed_twice(
    seeded_db: tuple[Database, int],
) -> None:
    db, tenant = seeded_db
    feed = ReminderFeed(db)
    rid = await _due_reminder(db, tenant, "claim me")
    due = next(r for r in await feed.due() if r.reminder_id == rid)
    assert due.attempts == 0 and due.timezone == "America/New_York"
    assert await feed.claim(tenant, rid) is True
    assert await feed.claim(tenant, rid) is False
    assert rid not in [r.reminder_id for r in await feed.due()]
    result = await feed.finish(tenant, rid, "done", call_id="c-1")
    assert (result.status, result.attempts) == ("done", 1)
    assert await _audits(db, tenant, rid) == [("reminder.call.done", "ok")]


async def test_failed_call_outs_are_retried_then_given_up(
    seeded_db: tuple[Database, int],
) -> None:
    db, tenant = seeded_db
    feed = ReminderFeed(db)
    rid = await _due_reminder(db, tenant, "retry me")
    now = utcnow()
    for attempt in (1, 2):
        assert await feed.claim(tenant, rid)
        result = await feed.finish(
            tenant, rid, "failed", error="busy", retry_after_s=60, max_attempts=3, now=now
        )
        assert (result.status, result.attempts, result.last_error) == ("pending", attempt, "busy")
        assert result.remind_at == now + timedelta(seconds=60)
        assert rid not in [r.reminder_id for r in await feed.due(now)]
        assert rid in [r.reminder_id for r in await feed.due(now + timedelta(seconds=61))]
    assert await feed.claim(tenant, rid)
    result = await feed.finish(tenant, rid, "failed", error="no answer", max_attempts=3)
    assert (result.status, result.attempts) == ("failed", 3)
    assert [o for _, o in await _audits(db, tenant, rid)] == ["error"] * 3


async def test_snooze_rings_again_later_and_a_stale_claim_is_released(
    seeded_db: tuple[Database, int],
) -> None:
    db, tenant = seeded_db
    feed = ReminderFeed(db)
    rid = await _due_reminder(db, tenant, "snooze me")
    assert await feed.claim(tenant, rid)
    now = utcnow()
    result = await feed.finish(tenant, rid, "snoozed", snooze_minutes=15, now=now)
    assert (result.status, result.attempts) == ("pending", 0)
    assert result.remind_at == now + timedelta(minutes=15)
    later = now + timedelta(minutes=16)
    assert rid in [r.reminder_id for r in await feed.due(later)]
    assert await feed.claim(tenant, rid)
    assert await feed.release_stale(60, now=utcnow() + timedelta(minutes=5)) >= 1
    assert rid in [r.reminder_id for r in await feed.due(later)]
    with pytest.raises(InvalidInput):
        await feed.finish(tenant, rid, "maybe")
