"""Calendar: events with attendees, free slots and conflict checks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, or_, select

from mcp_tools.calendar_sync import outbox
from mcp_tools.db.models import Event, EventAttendee, User
from mcp_tools.errors import Forbidden, InvalidInput, NotFound
from mcp_tools.policy import require_write
from mcp_tools.repos.common import (
    find_user,
    iso,
    listing,
    moved_to,
    say,
    text_arg,
    user_names,
    when_arg,
)
from mcp_tools.repos.refs import item, pick
from mcp_tools.timeparse import parse_duration_minutes, parse_time, zone
from mcp_tools.work import Reply, Work

WORK_START, WORK_END = time(9, 0), time(17, 0)
MAX_ATTENDEES = 20


def event_data(e: Event, names: dict[int, str]) -> dict[str, Any]:
    """Structured view of an event."""
    return {
        "id": e.id,
        "title": e.title,
        "starts_at": iso(e.starts_at),
        "ends_at": iso(e.ends_at),
        "location": e.location,
        "notes": e.notes,
        "owner": names.get(e.owner_id),
        "attendees": [names.get(a.user_id) for a in e.attendees],
    }


async def _names_for(w: Work, events: Sequence[Event]) -> dict[int, str]:
    ids: set[int | None] = {e.owner_id for e in events}
    ids |= {a.user_id for e in events for a in e.attendees}
    return await user_names(w, ids)


def _visible_query(w: Work, user_ids: Sequence[int] | None = None) -> Select[Event]:
    ids = list(user_ids) if user_ids is not None else [w.user_id]
    attending = select(EventAttendee.event_id).where(EventAttendee.user_id.in_(ids))
    return select(Event).where(or_(Event.owner_id.in_(ids), Event.id.in_(attending)))


async def find_event(w: Work, reference: str) -> Event:
    """The visible event the caller's words name (upcoming ones first, then any)."""
    rows = list((await w.session.execute(_visible_query(w).order_by(Event.starts_at))).scalars())
    names = await _names_for(w, rows)
    upcoming = [e for e in rows if e.ends_at >= w.now]

    def choose(pool: list[Event]) -> Event:
        return pick(
            w, reference, pool, "event",
            ident=lambda e: e.id, title=lambda e: e.title, at=lambda e: e.starts_at,
            extra=lambda e: " ".join(names.get(a.user_id, "") for a in e.attendees),
        )  # fmt: skip

    try:
        return choose(upcoming or rows)
    except NotFound:
        if not upcoming or len(upcoming) == len(rows):
            raise
        return choose(rows)


def event_item(event: Event) -> dict[str, Any]:
    """``data["item"]`` for an event."""
    return item("event", event.id, event.title)


async def _attendees(w: Work, names: Sequence[str] | None) -> list[User]:
    if not names:
        return []
    if len(names) > MAX_ATTENDEES:
        raise InvalidInput(f"An event can have at most {MAX_ATTENDEES} attendees.")
    found: dict[int, User] = {}
    for name in names:
        user = await find_user(w, text_arg(name, "attendee's name", 120))
        found[user.id] = user
    return list(found.values())


def _span(w: Work, start: str, end: str | None, duration: str | None) -> tuple[datetime, datetime]:
    starts = when_arg(w, start)
    if end:
        ends = parse_time(end, w.tz, now=starts).at
    else:
        ends = starts + timedelta(minutes=parse_duration_minutes(duration) if duration else 30)
    if ends <= starts:
        raise InvalidInput("The event must end after it starts.")
    if ends - starts > timedelta(days=7):
        raise InvalidInput("An event can last at most a week.")
    return starts, ends


async def busy(w: Work, user_ids: Sequence[int], start: datetime, end: datetime) -> list[Event]:
    """Events of any of ``user_ids`` overlapping [start, end)."""
    query = _visible_query(w, user_ids).where(Event.starts_at < end, Event.ends_at > start)
    return list((await w.session.execute(query.order_by(Event.starts_at))).scalars().all())


def _conflict_lines(w: Work, events: Sequence[Event]) -> list[str]:
    """Spoken clashes; other people's events are only "a busy slot" (titles stay private)."""
    lines = []
    for e in events:
        mine = e.owner_id == w.user_id or any(a.user_id == w.user_id for a in e.attendees)
        lines.append(f"{e.title if mine else 'a busy slot'} {say(e.starts_at, w)}")
    return lines


async def create_event(
    w: Work,
    title: str,
    start: str,
    end: str | None,
    duration: str | None,
    attendees: Sequence[str] | None,
    location: str | None,
    notes: str | None,
) -> Reply:
    """Put an event in the caller's calendar, inviting attendees."""
    require_write(w.actor, "add events")
    starts, ends = _span(w, start, end, duration)
    people = await _attendees(w, attendees)
    event = Event(
        owner_id=w.user_id,
        title=text_arg(title, "event title", 300),
        starts_at=starts,
        ends_at=ends,
        location=text_arg(location, "location", 200, required=False),
        notes=text_arg(notes, "notes", 2000, required=False),
    )
    event.attendees = [EventAttendee(user_id=u.id) for u in people if u.id != w.user_id]
    clashes = await busy(w, [w.user_id, *[u.id for u in people]], starts, ends)
    w.session.add(event)
    await w.session.flush()
    w.audit("event.create", "event", event.id, {"attendees": len(event.attendees)})
    await outbox.enqueue_upsert(w.session, w.user_id, event.id)  # pushed to Google later
    clash = f" Note: it overlaps {'; '.join(_conflict_lines(w, clashes))}." if clashes else ""
    data = {
        "event": event_data(event, await _names_for(w, [event])),
        "conflicts": len(clashes),
        "item": event_item(event),
    }
    return Reply(f"Booked {event.title} {say(starts, w)}.{clash}", data)


async def list_events(w: Work, day: str | None, days: int) -> Reply:
    """The caller's events from the start of ``day`` (default today) for ``days`` days."""
    if not 1 <= days <= 31:
        raise InvalidInput("I can list between 1 and 31 days of events.")
    zinfo = zone(w.tz)
    first = parse_time(day, w.tz, now=w.now, need_time=False).at if day else w.now
    start = datetime.combine(first.astimezone(zinfo).date(), time(0), tzinfo=zinfo)
    end = start + timedelta(days=days)
    query = _visible_query(w).where(Event.starts_at < end, Event.ends_at > start)
    events = list((await w.session.execute(query.order_by(Event.starts_at))).scalars().all())
    data = {"events": [event_data(e, await _names_for(w, events)) for e in events]}
    if not events:
        return Reply("Your calendar is clear then.", data)
    lines = [f"{e.title} {say(e.starts_at, w)}" for e in events]
    return Reply(f"You have {listing(lines, 'event')}.", data)


async def get_event(w: Work, reference: str) -> Reply:
    """One event in full."""
    event = await find_event(w, reference)
    names = await _names_for(w, [event])
    who = [names[a.user_id] for a in event.attendees if a.user_id in names]
    with_ = f" with {', '.join(who)}" if who else ""
    where = f" at {event.location}" if event.location else ""
    text = f"{event.title} {say(event.starts_at, w)}{where}{with_}."
    return Reply(text, {"event": event_data(event, names), "item": event_item(event)})


async def _owned(w: Work, reference: str, what: str) -> Event:
    require_write(w.actor, what)
    event = await find_event(w, reference)
    if event.owner_id != w.user_id:
        raise Forbidden(f"Only the organiser can {what}.")
    return event


async def update_event(
    w: Work,
    reference: str,
    title: str | None,
    start: str | None,
    duration: str | None,
    location: str | None,
    attendees: Sequence[str] | None,
) -> Reply:
    """Change an event the caller organises (moving it keeps its length unless told)."""
    event = await _owned(w, reference, "change this event")
    if all(v is None for v in (title, start, duration, location, attendees)):
        raise InvalidInput("Tell me what to change: title, time, length, place or attendees.")
    if title is not None:
        event.title = text_arg(title, "event title", 300)
    if start is not None or duration is not None:
        length = event.ends_at - event.starts_at
        starts = moved_to(w, start, event.starts_at) if start is not None else event.starts_at
        minutes = parse_duration_minutes(duration) if duration else None
        event.starts_at = starts
        event.ends_at = starts + (timedelta(minutes=minutes) if minutes else length)
    if location is not None:
        event.location = text_arg(location, "location", 200, required=False)
    if attendees is not None:
        people = await _attendees(w, attendees)
        event.attendees = [EventAttendee(user_id=u.id) for u in people if u.id != w.user_id]
    w.audit("event.update", "event", event.id)
    await outbox.enqueue_upsert(w.session, w.user_id, event.id)
    await w.session.flush()
    data = {"event": event_data(event, await _names_for(w, [event])), "item": event_item(event)}
    return Reply(f"Updated {event.title}, now {say(event.starts_at, w)}.", data)


async def delete_event(w: Work, reference: str, confirm: str | None) -> Reply:
    """Remove an event the caller organises, once the caller has said yes."""
    event = await _owned(w, reference, "delete this event")
    title, event_id, what = event.title, event.id, event_item(event)
    if not w.confirmed(confirm, "event.delete", event_id):
        question = f"Delete {title}, {say(event.starts_at, w)}? Yes or no?"
        return w.ask_first(question, "event.delete", event_id, {"item": what})
    await outbox.enqueue_delete(w.session, w.user_id, event_id)
    await w.session.delete(event)
    w.audit("event.delete", "event", event_id, {"title": title})
    await w.session.flush()
    return Reply(f"Deleted {title}.", {"deleted_id": event_id, "item": what})


async def find_free_slots(
    w: Work, day: str | None, duration: str | None, attendees: Sequence[str] | None
) -> Reply:
    """Free slots in working hours (9 to 5) on a day, for the caller and attendees."""
    minutes = parse_duration_minutes(duration) if duration else 30
    zinfo = zone(w.tz)
    first = parse_time(day, w.tz, now=w.now, need_time=False).at if day else w.now
    local_day = first.astimezone(zinfo).date()
    cursor = datetime.combine(local_day, WORK_START, tzinfo=zinfo)
    day_end = datetime.combine(local_day, WORK_END, tzinfo=zinfo)
    cursor = max(cursor, w.now.astimezone(zinfo).replace(second=0, microsecond=0))
    people = await _attendees(w, attendees)
    events = await busy(w, [w.user_id, *[u.id for u in people]], cursor, day_end)
    slots: list[tuple[datetime, datetime]] = []
    length = timedelta(minutes=minutes)
    for e in [*events, None]:
        gap_end = min(e.starts_at, day_end) if e else day_end
        if gap_end - cursor >= length:
            slots.append((cursor, gap_end))
        if e:
            cursor = max(cursor, e.ends_at)
    data = {"slots": [{"start": iso(a), "end": iso(b)} for a, b in slots], "minutes": minutes}
    if not slots:
        return Reply("There's no free slot that long in working hours that day.", data)
    lines = [
        f"from {say(a, w)} until {b.astimezone(zinfo).strftime('%I:%M %p').lstrip('0')}"
        for a, b in slots
    ]
    return Reply(f"Free {listing(lines, 'slot', 4).split(': ', 1)[1]}.", data)


async def check_conflicts(
    w: Work, start: str, end: str | None, duration: str | None, attendees: Sequence[str] | None
) -> Reply:
    """What overlaps a proposed time, for the caller and attendees."""
    starts, ends = _span(w, start, end, duration)
    people = await _attendees(w, attendees)
    clashes = await busy(w, [w.user_id, *[u.id for u in people]], starts, ends)
    data = {
        "start": iso(starts),
        "end": iso(ends),
        "conflicts": [
            {"id": e.id, "starts_at": iso(e.starts_at), "ends_at": iso(e.ends_at)} for e in clashes
        ],
    }
    if not clashes:
        return Reply(f"{say(starts, w).capitalize()} is free.", data)
    return Reply(f"That clashes with {listing(_conflict_lines(w, clashes), 'event')}.", data)
