"""One sync round for one connection: pull Google's changes, then push the outbox.

Pull uses Google's incremental sync: the first round lists events from ``past_days`` ago
(full sync) and keeps ``nextSyncToken``; later rounds send ``syncToken`` and get only what
changed. HTTP 410 (token expired) drops the token and does a full sync again. Items whose etag
equals the one stored on the link are our own writes coming back and are skipped.

Push sends each pending outbox entry (collapsed per event) with a stable Google event id, so a
retried insert answers 409 and becomes a patch instead of a duplicate.

Conflicts (both sides changed since the last sync) follow :mod:`.mapping`: the later writer
wins and the loser is kept in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mcp_tools import audit
from mcp_tools.calendar_sync.google_api import CalendarApi, GoogleError, SyncTokenGone
from mcp_tools.calendar_sync.mapping import (
    RemoteEvent,
    from_google,
    google_event_id,
    rfc3339,
    snapshot,
    to_google,
    winner,
)
from mcp_tools.db.models import CalendarOutbox, Event, EventLink, GoogleConnection
from mcp_tools.policy import Actor, Role

PAGE_SIZE = 250


@dataclass
class RoundReport:
    """What one round did."""

    pulled: int = 0
    imported: int = 0
    updated: int = 0
    deleted: int = 0
    pushed: int = 0
    conflicts: int = 0
    full_sync: bool = False
    errors: list[str] = field(default_factory=list)


def sync_actor(conn: GoogleConnection) -> Actor:
    """The audit identity of the sync (acting for the connection's user)."""
    return Actor(conn.tenant_id, conn.user_id, Role.MEMBER, channel="api", name="calendar-sync")


async def list_changes(
    api: CalendarApi, calendar_id: str, sync_token: str | None, time_min: datetime
) -> tuple[list[dict[str, Any]], str | None, bool]:
    """(items, next sync token, was a full sync); a 410 falls back to a full sync."""
    try:
        return await _list(api, calendar_id, sync_token, time_min)
    except SyncTokenGone:
        return await _list(api, calendar_id, None, time_min)


async def _list(
    api: CalendarApi, calendar_id: str, sync_token: str | None, time_min: datetime
) -> tuple[list[dict[str, Any]], str | None, bool]:
    items: list[dict[str, Any]] = []
    page: str | None = None
    while True:
        params: dict[str, Any] = {
            "calendarId": calendar_id,
            "maxResults": PAGE_SIZE,
            "singleEvents": True,  # recurring series arrive as their instances
        }
        if sync_token:
            params["syncToken"] = sync_token
        else:
            params.update(timeMin=rfc3339(time_min), showDeleted=False)
        if page:
            params["pageToken"] = page
        reply = await api.call(lambda s, p=params: s.events().list(**p))  # type: ignore[misc]
        items.extend(reply.get("items", []))
        page = reply.get("nextPageToken")
        if not page:
            return items, reply.get("nextSyncToken"), sync_token is None


async def _pending_upsert(session: AsyncSession, event_id: int) -> list[CalendarOutbox]:
    query = select(CalendarOutbox).where(
        CalendarOutbox.event_id == event_id,
        CalendarOutbox.status == "pending",
        CalendarOutbox.op == "upsert",
    )
    return list((await session.execute(query)).scalars().all())


def _local_snapshot(e: Event) -> dict[str, Any]:
    return snapshot(e.title, e.starts_at, e.ends_at, e.location, e.notes)


def _remote_snapshot(r: RemoteEvent) -> dict[str, Any]:
    return snapshot(r.title, r.starts_at, r.ends_at, r.location, r.notes)


async def _deleted_here_first(
    session: AsyncSession, conn: GoogleConnection, r: RemoteEvent, report: RoundReport
) -> bool:
    """A Google edit of an event deleted here whose deletion is not pushed yet: the later
    wins. True when the deletion wins (the Google version goes to the audit log); when the
    edit wins, the deletion is dropped and the event comes back as a new import."""
    query = select(CalendarOutbox).where(
        CalendarOutbox.user_id == conn.user_id,
        CalendarOutbox.google_id == r.google_id,
        CalendarOutbox.op == "delete",
        CalendarOutbox.status == "pending",
    )
    pending = list((await session.execute(query)).scalars().all())
    if not pending:
        return False
    report.conflicts += 1
    deleted_at = max(p.created_at for p in pending)
    keep = winner(deleted_at, r.updated)
    lost = _remote_snapshot(r) if keep == "local" else {"deleted_at": deleted_at.isoformat()}
    audit.record(
        session,
        sync_actor(conn),
        "calendar.sync.conflict",
        "google",
        "",
        detail={
            "kept": "switchboard" if keep == "local" else "google",
            "lost": lost,
            "google_id": r.google_id,
        },
    )
    if keep == "remote":
        for entry in pending:
            entry.status, entry.last_error = "done", "superseded by a newer Google edit"
    return keep == "local"


async def apply_remote(
    session: AsyncSession, conn: GoogleConnection, r: RemoteEvent, report: RoundReport
) -> None:
    """Fold one Google change into Switchboard's events (see the module docstring)."""
    link = (
        await session.execute(
            select(EventLink).where(
                EventLink.connection_id == conn.id, EventLink.google_id == r.google_id
            )
        )
    ).scalar_one_or_none()
    if link is not None and link.etag == r.etag:
        return  # our own write echoing back, or nothing new
    if link is None:
        if r.cancelled or r.starts_at is None or r.ends_at is None:
            return
        if await _deleted_here_first(session, conn, r, report):
            return
        event = Event(
            owner_id=conn.user_id,
            title=r.title,
            starts_at=r.starts_at,
            ends_at=r.ends_at,
            location=r.location,
            notes=r.notes,
        )
        session.add(event)
        await session.flush()
        session.add(
            EventLink(
                event_id=event.id,
                connection_id=conn.id,
                google_id=r.google_id,
                origin="google",
                etag=r.etag,
                google_updated_at=r.updated,
            )
        )
        report.imported += 1
        return
    found = await session.get(Event, link.event_id)
    if found is None:
        return
    event = found
    actor = sync_actor(conn)
    pending = await _pending_upsert(session, event.id)
    if pending:
        report.conflicts += 1
        if winner(event.updated_at, r.updated) == "local":
            lost, kept = _remote_snapshot(r), "switchboard"
            link.etag, link.google_updated_at = r.etag, r.updated  # the push will overwrite it
            audit.record(
                session,
                actor,
                "calendar.sync.conflict",
                "event",
                event.id,
                detail={"kept": kept, "lost": lost, "google_id": r.google_id},
            )
            return
        audit.record(
            session,
            actor,
            "calendar.sync.conflict",
            "event",
            event.id,
            detail={"kept": "google", "lost": _local_snapshot(event), "google_id": r.google_id},
        )
        for entry in pending:
            entry.status, entry.last_error = "done", "superseded by a newer Google edit"
    if r.cancelled:
        await session.delete(event)
        report.deleted += 1
        return
    assert r.starts_at is not None and r.ends_at is not None
    event.title, event.starts_at, event.ends_at = r.title, r.starts_at, r.ends_at
    event.location, event.notes = r.location, r.notes
    link.etag, link.google_updated_at = r.etag, r.updated
    report.updated += 1


async def prune_unseen(
    session: AsyncSession,
    conn: GoogleConnection,
    seen: set[str],
    since: datetime,
    report: RoundReport,
) -> None:
    """After a full sync: drop events imported from Google that Google no longer lists
    (deleted while no sync token covered the gap), unless a local edit waits to be pushed."""
    query = (
        select(EventLink, Event)
        .join(Event, Event.id == EventLink.event_id)
        .where(
            EventLink.connection_id == conn.id,
            EventLink.origin == "google",
            Event.ends_at > since,
        )
    )
    for link, event in (await session.execute(query)).all():
        if link.google_id in seen or await _pending_upsert(session, event.id):
            continue
        await session.delete(event)
        report.deleted += 1


@dataclass(frozen=True)
class PushPlan:
    """One outbox entry made ready to send (read in a short transaction, sent outside it)."""

    entry_ids: tuple[int, ...]
    op: str
    event_id: int | None
    google_id: str | None
    new_id: str | None
    body: dict[str, Any] | None


async def plan_push(session: AsyncSession, entry: CalendarOutbox) -> PushPlan | None:
    """What to send for ``entry`` (and the other pending upserts of its event); None: nothing."""
    if entry.op == "delete":
        return PushPlan((entry.id,), "delete", entry.event_id, entry.google_id, None, None)
    event = await session.get(Event, entry.event_id) if entry.event_id else None
    if event is None:
        return None
    same = [e.id for e in await _pending_upsert(session, event.id)]
    link = (
        await session.execute(select(EventLink).where(EventLink.event_id == event.id))
    ).scalar_one_or_none()
    body = to_google(event.title, event.starts_at, event.ends_at, event.location, event.notes)
    new_id = google_event_id(event.tenant_id, event.id)
    ids = tuple(sorted({entry.id, *same}))
    return PushPlan(ids, "upsert", event.id, link.google_id if link else None, new_id, body)


async def send(api: CalendarApi, cal: str, plan: PushPlan) -> dict[str, Any] | None:
    """Carry out a plan against Google; the written event (None for a delete)."""
    if plan.op == "delete":
        if plan.google_id:
            try:
                await api.call(lambda s: s.events().delete(calendarId=cal, eventId=plan.google_id))
            except GoogleError as exc:
                if exc.status not in (404, 410):
                    raise
        return None
    assert plan.body is not None and plan.new_id is not None
    body = plan.body
    if plan.google_id is not None:
        try:
            reply: dict[str, Any] = await api.call(
                lambda s: s.events().patch(calendarId=cal, eventId=plan.google_id, body=body)
            )
            return reply
        except GoogleError as exc:
            if exc.status not in (404, 410):
                raise
    new_id = plan.new_id
    try:
        created: dict[str, Any] = await api.call(
            lambda s: s.events().insert(calendarId=cal, body={**body, "id": new_id})
        )
        return created
    except GoogleError as exc:
        if exc.status != 409:  # already there (an earlier try got through): patch it
            raise
    patched: dict[str, Any] = await api.call(
        lambda s: s.events().patch(calendarId=cal, eventId=new_id, body=body)
    )
    return patched


async def record_push(
    session: AsyncSession,
    conn: GoogleConnection,
    plan: PushPlan,
    reply: dict[str, Any] | None,
    now: datetime,
) -> None:
    """Keep Google's id and etag on the link and mark the plan's entries done."""
    if reply is not None and plan.event_id is not None:
        event = await session.get(Event, plan.event_id)
        link = (
            await session.execute(select(EventLink).where(EventLink.event_id == plan.event_id))
        ).scalar_one_or_none()
        if event is not None:
            if link is None:
                link = EventLink(event_id=event.id, connection_id=conn.id, google_id="")
                session.add(link)
            link.google_id, link.etag = str(reply["id"]), str(reply.get("etag", ""))
            link.google_updated_at, link.synced_at = from_google(reply, "UTC").updated, now
    entries = await session.execute(
        select(CalendarOutbox).where(CalendarOutbox.id.in_(plan.entry_ids))
    )
    for entry in entries.scalars():
        entry.status, entry.done_at, entry.attempts = "done", now, entry.attempts + 1


def first_sync_start(now: datetime, past_days: int) -> datetime:
    """Where a full sync starts listing."""
    return now - timedelta(days=past_days)
