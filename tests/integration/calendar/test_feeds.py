"""Private .ics feeds: parsed by an independent library (vobject), VTODO and all-day todos,
team feeds, and wrong, revoked or rotated tokens answering the same 404 as any unknown path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import aiohttp
import pytest
import vobject
from aiohttp import web
from sqlalchemy import select

from mcp_tools.db.models import Event, EventAttendee, FeedToken, Team, Todo, User
from mcp_tools.db.session import Database
from mcp_tools.feeds.tokens import FeedTokens
from mcp_tools.feeds.web import feeds_app
from tests.fixtures.postgres import free_port

Seeded = tuple[Database, int]


@pytest.fixture(scope="module")
async def feed_data(seeded_db: Seeded) -> dict[str, int]:
    """Alice's event with John Smith, her todos (one without a due time), a Dev team todo."""
    db, tenant = seeded_db
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    async with db.scoped(tenant) as session, session.begin():
        users = {u.user_number: u.id for u in (await session.execute(select(User))).scalars()}
        dev = (await session.execute(select(Team).where(Team.name == "Dev"))).scalar_one()
        event = Event(
            owner_id=users["101"],
            title="Design review",
            starts_at=soon,
            ends_at=soon + timedelta(hours=1),
            location="Room 4",
        )
        event.attendees = [EventAttendee(user_id=users["102"])]
        private = Event(
            owner_id=users["103"],
            title="John Park's dentist",
            starts_at=soon,
            ends_at=soon + timedelta(hours=1),
        )
        session.add_all(
            [
                event,
                private,
                Todo(owner_id=users["101"], title="Send invoice", due_at=soon, priority="high"),
                Todo(owner_id=users["101"], title="Someday idea"),
                Todo(owner_id=users["102"], team_id=dev.id, title="Ship release", due_at=soon),
            ]
        )
    return {"alice": users["101"], "dev": dev.id, "tenant": tenant}


@pytest.fixture(scope="module")
async def feeds_base(seeded_db: Seeded) -> AsyncIterator[str]:
    """The standalone feeds app on a free port."""
    runner = web.AppRunner(feeds_app(seeded_db[0]))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def _get(url: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as reply:
        return reply.status, reply.headers.get("Content-Type", ""), await reply.text()


async def test_user_feed_parses_with_vobject(
    seeded_db: Seeded, feed_data: dict[str, int], feeds_base: str
) -> None:
    db, tenant = seeded_db
    token = await FeedTokens(db).create(tenant, user_id=feed_data["alice"])
    status, ctype, body = await _get(f"{feeds_base}/feeds/{token}.ics")
    assert status == 200 and ctype.startswith("text/calendar")
    cal = vobject.readOne(body)
    events = {e.summary.value: e for e in cal.contents.get("vevent", [])}
    todos = {t.summary.value: t for t in cal.contents.get("vtodo", [])}
    assert set(events) == {"Design review"}  # John Park's private event is not in Alice's feed
    assert events["Design review"].location.value == "Room 4"
    assert isinstance(events["Design review"].dtstart.value, datetime)
    assert set(todos) == {"Send invoice"}  # a todo without a due time is left out
    assert todos["Send invoice"].status.value == "NEEDS-ACTION"
    assert todos["Send invoice"].priority.value == "1"

    status, _, body = await _get(f"{feeds_base}/feeds/{token}.ics?todos=events")
    days = {e.summary.value: e for e in vobject.readOne(body).contents["vevent"]}
    day = days["Due: Send invoice"].dtstart.value
    assert isinstance(day, date) and not isinstance(day, datetime)  # all-day item


async def test_team_feed_shows_team_work_only(
    seeded_db: Seeded, feed_data: dict[str, int], feeds_base: str
) -> None:
    db, tenant = seeded_db
    token = await FeedTokens(db).create(tenant, team_id=feed_data["dev"])
    status, _, body = await _get(f"{feeds_base}/feeds/{token}.ics")
    cal = vobject.readOne(body)
    assert status == 200 and cal.x_wr_calname.value == "Switchboard team: Dev"
    assert {t.summary.value for t in cal.contents["vtodo"]} == {"Ship release"}
    assert {e.summary.value for e in cal.contents["vevent"]} == {"Design review"}


async def test_wrong_revoked_and_rotated_tokens_are_plain_404(
    seeded_db: Seeded, feed_data: dict[str, int], feeds_base: str
) -> None:
    db, tenant = seeded_db
    feeds = FeedTokens(db)
    token = await feeds.create(tenant, user_id=feed_data["alice"])
    unknown = await _get(f"{feeds_base}/no/such/path")
    assert unknown[0] == 404
    for bad in ("x" * 43, token[:-1] + ("A" if token[-1] != "A" else "B"), "", "%00", "a" * 500):
        assert await _get(f"{feeds_base}/feeds/{bad}.ics") == unknown

    assert await feeds.revoke(tenant, user_id=feed_data["alice"]) >= 1
    assert await _get(f"{feeds_base}/feeds/{token}.ics") == unknown
    new = await feeds.rotate(tenant, user_id=feed_data["alice"])
    assert (await _get(f"{feeds_base}/feeds/{new}.ics"))[0] == 200
    rotated = await feeds.rotate(tenant, user_id=feed_data["alice"])
    assert await _get(f"{feeds_base}/feeds/{new}.ics") == unknown
    assert (await _get(f"{feeds_base}/feeds/{rotated}.ics"))[0] == 200

    async with db.scoped(tenant) as session:  # only hashes are stored
        hashes = (await session.execute(select(FeedToken.token_hash))).scalars().all()
    assert all(len(h) == 64 for h in hashes) and rotated not in hashes
