"""Render feeds as iCalendar (RFC 5545) with the ``icalendar`` library.

A user's feed: the events they organise or attend (synced Google events included) and their
todos with a due time (owned or assigned). A team's feed: the team's todos with a due time and
the events organised by a team member with another team member attending (team meetings);
members' private events stay out. Todos become ``VTODO`` (Apple Calendar, Thunderbird) or,
with ``todos="events"``, all-day ``VEVENT`` items on their due day for clients that ignore
``VTODO`` (Google Calendar, Outlook).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as VEvent
from icalendar import Todo as VTodo
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from mcp_tools.db.models import Event, EventAttendee, Team, TeamMember, Tenant, Todo, User
from mcp_tools.feeds.tokens import FeedOwner

TodoStyle = Literal["vtodo", "events"]
PRODID = "-//Switchboard//Team calendar feed//EN"
PAST_DAYS, FUTURE_DAYS = 60, 400
TODO_STATUS = {"open": "NEEDS-ACTION", "in_progress": "IN-PROCESS", "done": "COMPLETED"}


def _uid(kind: str, tenant_id: int, item_id: int) -> str:
    return f"{kind}-{tenant_id}-{item_id}@switchboard"


def event_component(e: Event, stamp: datetime) -> VEvent:
    """One event as a VEVENT (times in UTC)."""
    ve = VEvent()
    ve.add("uid", _uid("event", e.tenant_id, e.id))
    ve.add("dtstamp", stamp)
    ve.add("dtstart", e.starts_at)
    ve.add("dtend", e.ends_at)
    ve.add("summary", e.title)
    ve.add("last-modified", e.updated_at)
    if e.location:
        ve.add("location", e.location)
    if e.notes:
        ve.add("description", e.notes)
    return ve


def todo_component(t: Todo, stamp: datetime) -> VTodo:
    """A todo with a due time as a VTODO."""
    vt = VTodo()
    vt.add("uid", _uid("todo", t.tenant_id, t.id))
    vt.add("dtstamp", stamp)
    vt.add("summary", t.title)
    assert t.due_at is not None
    vt.add("due", t.due_at)
    vt.add("status", TODO_STATUS.get(t.status, "NEEDS-ACTION"))
    vt.add("priority", {"high": 1, "normal": 5, "low": 9}.get(t.priority, 5))
    if t.notes:
        vt.add("description", t.notes)
    if t.completed_at:
        vt.add("completed", t.completed_at)
    return vt


def todo_as_day(t: Todo, stamp: datetime, tz: str) -> VEvent:
    """A todo as an all-day VEVENT on its due day (in the owner's timezone)."""
    assert t.due_at is not None
    day = t.due_at.astimezone(ZoneInfo(tz)).date()
    ve = VEvent()
    ve.add("uid", _uid("todo", t.tenant_id, t.id))
    ve.add("dtstamp", stamp)
    ve.add("dtstart", day)
    ve.add("dtend", day + timedelta(days=1))
    done = "✓ " if t.status == "done" else ""
    ve.add("summary", f"{done}Due: {t.title}")
    ve.add("transp", "TRANSPARENT")
    return ve


def render(
    name: str, events: Sequence[Event], todos: Sequence[Todo], tz: str, style: TodoStyle
) -> bytes:
    """The feed document."""
    stamp = datetime.now(UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", tz)
    for e in events:
        cal.add_component(event_component(e, stamp))
    for t in todos:
        cal.add_component(
            todo_component(t, stamp) if style == "vtodo" else todo_as_day(t, stamp, tz)
        )
    return bytes(cal.to_ical())


async def build_feed(session: AsyncSession, owner: FeedOwner, style: TodoStyle) -> bytes:
    """The feed a valid token opens (``session`` is scoped to the owner's tenant)."""
    now = datetime.now(UTC)
    lo, hi = now - timedelta(days=PAST_DAYS), now + timedelta(days=FUTURE_DAYS)
    tenant_tz = (await session.execute(select(Tenant.timezone))).scalar_one()
    window = (Event.starts_at < hi, Event.ends_at > lo)
    if owner.user_id is not None:
        user = await session.get(User, owner.user_id)
        assert user is not None
        attending = select(EventAttendee.event_id).where(EventAttendee.user_id == user.id)
        events = select(Event).where(
            or_(Event.owner_id == user.id, Event.id.in_(attending)), *window
        )
        todos = select(Todo).where(
            or_(Todo.owner_id == user.id, Todo.assignee_id == user.id), Todo.due_at.is_not(None)
        )
        name, tz = f"Switchboard: {user.name}", user.timezone or tenant_tz
    else:
        team = await session.get(Team, owner.team_id)
        assert team is not None
        members = select(TeamMember.user_id).where(TeamMember.team_id == team.id)
        with_member = select(EventAttendee.event_id).where(EventAttendee.user_id.in_(members))
        events = select(Event).where(
            Event.owner_id.in_(members), Event.id.in_(with_member), *window
        )
        todos = select(Todo).where(Todo.team_id == team.id, Todo.due_at.is_not(None))
        name, tz = f"Switchboard team: {team.name}", tenant_tz
    event_rows = (await session.execute(events.order_by(Event.starts_at))).scalars().all()
    todo_rows = (await session.execute(todos.order_by(Todo.due_at))).scalars().all()
    return render(name, event_rows, todo_rows, tz, style)
