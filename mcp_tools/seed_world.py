"""The agent bench's world: the demo tenant plus Alice's todos, reminders, events and team work.

``tests/agent_sets/README.md`` describes this data in words; request sets are written against
that page, so the two must agree (a unit test reads both). Times are relative to the day the
bench runs, in the demo tenant's timezone: "next Wednesday" is the next Wednesday after today,
never today itself. Seeding writes rows directly (no audit entries): the audit log then holds
only what the agent did, which is how the bench sees writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from mcp_tools.db.models import Event, EventAttendee, Reminder, Team, Todo, User
from mcp_tools.db.session import Database
from mcp_tools.seed import DEMO_TZ, seed_demo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def next_weekday(today: date, name: str) -> date:
    """The next ``name`` day after ``today`` (never today)."""
    ahead = (WEEKDAYS.index(name) - today.weekday()) % 7
    return today + timedelta(days=ahead or 7)


@dataclass(frozen=True)
class WorldClock:
    """Dates of the world, from the day the bench runs."""

    today: date
    zone: ZoneInfo

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """A local wall-clock time on ``day`` as an aware datetime."""
        return datetime.combine(day, time(hour, minute), self.zone)

    def day(self, phrase: str) -> date:
        """``today``, ``tomorrow``, ``in2days``, ``in6days`` or a weekday name."""
        offsets = {"today": 0, "tomorrow": 1, "in2days": 2, "in6days": 6}
        if phrase in offsets:
            return self.today + timedelta(days=offsets[phrase])
        return next_weekday(self.today, phrase)


# (title, due day, due hour or None, priority, status)
PERSONAL_TODOS: tuple[tuple[str, str | None, int | None, str, str], ...] = (
    ("Renew passport", "in6days", None, "high", "open"),
    ("Book the dentist appointment", None, None, "normal", "open"),
    ("Call the bank about the mortgage", "tomorrow", None, "normal", "open"),
    ("Call mum", None, None, "normal", "open"),
    ("Buy a birthday present for Sam", "friday", None, "normal", "open"),
    ("Send the quarterly invoice", "tomorrow", 17, "normal", "open"),
    ("Fix the garden fence", None, None, "low", "open"),
    ("Water the office plants", None, None, "normal", "done"),
)
# (text, day, hour)
REMINDERS: tuple[tuple[str, str, int], ...] = (
    ("Take the bins out", "tomorrow", 19),
    ("Pick up the dry cleaning", "in2days", 17),
    ("Pay the electricity bill", "monday", 9),
    ("Submit the expense report", "thursday", 10),
)
# (title, day, start h, start m, minutes, attendee user numbers)
EVENTS: tuple[tuple[str, str, int, int, int, tuple[str, ...]], ...] = (
    ("Team standup", "tomorrow", 9, 30, 15, ()),
    ("Dentist", "wednesday", 14, 0, 60, ()),
    ("Lunch with Maria", "friday", 12, 30, 60, ("104",)),
    ("Quarterly review", "thursday", 10, 0, 60, ()),
    ("Budget planning", "thursday", 15, 0, 60, ()),
    ("One-on-one with John Park", "tuesday", 15, 0, 30, ("103",)),
)
# (team, title, assignee user number or None, due day or None); owned by the team's owner
TEAM_TODOS: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("Dev", "Fix the login bug", "103", "tomorrow"),
    ("Dev", "Code review for the release", None, None),
    ("Dev", "Update the API docs", "102", None),
    ("Sales", "Update the price list", "104", None),
    ("Sales", "Follow up with Globex about the quote", None, None),
    ("Support", "Clear the ticket backlog", "104", None),
)
TEAM_OWNERS = {"Dev": "101", "Sales": "104", "Support": "104"}
CALLER_NUMBER = "101"
"""The bench's caller: Alice Smith, owner."""


async def seed_world(db: Database, now: datetime, bcrypt_rounds: int = 4) -> dict[str, Any]:
    """The demo tenant (:func:`seed_demo`) plus the bench world; returns ``seed_demo``'s data."""
    demo = await seed_demo(db, bcrypt_rounds)
    tenant_id = demo["tenant"]["id"]
    zone = ZoneInfo(DEMO_TZ)
    clock = WorldClock(now.astimezone(zone).date(), zone)
    async with db.scoped(tenant_id) as session, session.begin():
        users = {u.user_number: u for u in (await session.execute(select(User))).scalars()}
        teams = {t.name: t for t in (await session.execute(select(Team))).scalars()}
        alice = users[CALLER_NUMBER]
        for title, day, hour, priority, status in PERSONAL_TODOS:
            due = clock.at(clock.day(day), hour if hour is not None else 17) if day else None
            session.add(
                Todo(owner_id=alice.id, title=title, due_at=due, priority=priority, status=status)
            )
        for text, day, hour in REMINDERS:
            at = clock.at(clock.day(day), hour)
            session.add(Reminder(user_id=alice.id, text=text, remind_at=at))
        for title, day, hour, minute, minutes, people in EVENTS:
            start = clock.at(clock.day(day), hour, minute)
            event = Event(
                owner_id=alice.id,
                title=title,
                starts_at=start,
                ends_at=start + timedelta(minutes=minutes),
            )
            session.add(event)
            await session.flush()
            for number in people:
                session.add(EventAttendee(event_id=event.id, user_id=users[number].id))
        for team, title, assignee, day in TEAM_TODOS:
            session.add(
                Todo(
                    owner_id=users[TEAM_OWNERS[team]].id,
                    team_id=teams[team].id,
                    assignee_id=users[assignee].id if assignee else None,
                    title=title,
                    due_at=clock.at(clock.day(day), 17) if day else None,
                )
            )
    return demo
