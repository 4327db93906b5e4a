"""The outbox: voice-made event changes queued for Google in the change's own transaction.

The voice path only writes rows here (one indexed look-up, no network); the worker pushes them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mcp_tools.db.models import CalendarOutbox, EventLink, GoogleConnection


async def _connected(session: AsyncSession, user_id: int) -> bool:
    """Connected, or revoked (changes wait for the user to connect again; never lost)."""
    query = select(GoogleConnection.id).where(
        GoogleConnection.user_id == user_id,
        GoogleConnection.status.in_(("connected", "revoked")),
    )
    return (await session.execute(query)).first() is not None


async def enqueue_upsert(session: AsyncSession, user_id: int, event_id: int) -> bool:
    """Queue "create or update this event in Google" when the user is connected."""
    if not await _connected(session, user_id):
        return False
    session.add(CalendarOutbox(user_id=user_id, event_id=event_id, op="upsert"))
    return True


async def enqueue_delete(session: AsyncSession, user_id: int, event_id: int) -> bool:
    """Queue "delete this event's Google twin"; call before the event row is deleted."""
    link = (
        await session.execute(select(EventLink.google_id).where(EventLink.event_id == event_id))
    ).scalar_one_or_none()
    if link is None or not await _connected(session, user_id):
        return False
    session.add(CalendarOutbox(user_id=user_id, event_id=event_id, google_id=link, op="delete"))
    return True
