"""Two-way sync against the Google stand-in: first and incremental sync, 410, pushes,
retries with back-off on 429/500, and events edited on both sides."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from mcp_tools.calendar_sync.worker import CalendarSync
from mcp_tools.db.models import AuditEntry, CalendarOutbox, Event, EventLink, GoogleConnection
from tests.fixtures.google_env import CalEnv


def _tomorrow(hour: int) -> datetime:
    day = datetime.now(UTC).date() + timedelta(days=2)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


async def _conn_id(env: CalEnv, user_id: int) -> int:
    async with env.db.scoped(env.tenant_id) as session:
        q = select(GoogleConnection.id).where(GoogleConnection.user_id == user_id)
        return int((await session.execute(q)).scalar_one())


async def _events(env: CalEnv) -> dict[str, Event]:
    async with env.db.scoped(env.tenant_id) as session:
        return {e.title: e for e in (await session.execute(select(Event))).scalars()}


async def _conflicts(env: CalEnv) -> list[dict[str, Any]]:
    async with env.db.scoped(env.tenant_id) as session:
        q = select(AuditEntry.detail).where(AuditEntry.action == "calendar.sync.conflict")
        return [dict(d) for d in (await session.execute(q)).scalars()]


async def test_first_then_incremental_sync_and_conflict_checks_see_google(cal_env: CalEnv) -> None:
    state = cal_env.state
    standup = state.remote_add("Dentist", _tomorrow(14), _tomorrow(15))
    state.remote_add(
        "Old thing", _tomorrow(9) - timedelta(days=90), _tomorrow(10) - timedelta(days=90)
    )
    user_id = await cal_env.connect("101")
    conn_id = await _conn_id(cal_env, user_id)

    first = await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert first.full_sync and first.imported == 1 and first.errors == []
    assert "Dentist" in await _events(cal_env) and "Old thing" not in await _events(cal_env)

    async with cal_env.tools("101") as tools:  # conflict checks and free slots include it
        clash = await tools.call("check_conflicts", start=_tomorrow(14).isoformat())
        assert clash.ok and "Dentist" in clash.text
        free = await tools.call("find_free_slots", day=_tomorrow(14).date().isoformat())
        slots = [(s["start"], s["end"]) for s in free.data["slots"]]
        assert all(
            not (a < _tomorrow(15).isoformat() and b > _tomorrow(14).isoformat()) for a, b in slots
        )
        got = await tools.call("get_event", event="the dentist")  # an imported event, in words
        assert got.ok and got.data["item"]["title"] == "Dentist", got.text

    state.remote_add("Gym", _tomorrow(18), _tomorrow(19))
    state.remote_edit(standup, summary="Dentist (moved)")
    second = await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert not second.full_sync and second.pulled == 2
    assert second.imported == 1 and second.updated == 1
    titles = await _events(cal_env)
    assert {"Gym", "Dentist (moved)"} <= set(titles) and "Dentist" not in titles

    state.remote_delete(standup)
    third = await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert third.pulled == 1 and third.deleted == 1
    assert "Dentist (moved)" not in await _events(cal_env)

    yoga = state.remote_add("Yoga", _tomorrow(7), _tomorrow(8))
    await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert "Yoga" in await _events(cal_env)
    state.remote_delete(yoga)
    state.expired_sync_tokens = True  # 410 Gone → a full sync, without duplicates
    fourth = await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert fourth.full_sync and fourth.imported == 0 and fourth.errors == []
    assert fourth.deleted == 1  # deleted in Google while no sync token covered it
    async with cal_env.db.scoped(cal_env.tenant_id) as session:
        stored = list((await session.execute(select(Event.title))).scalars())
    assert stored.count("Gym") == 1 and "Yoga" not in stored


async def test_voice_event_is_pushed_once_and_not_echoed(cal_env: CalEnv) -> None:
    user_id = await cal_env.connect("101")
    conn_id = await _conn_id(cal_env, user_id)
    await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    async with cal_env.tools("101") as tools:
        made = await tools.call(
            "create_event", title="Budget review", start=_tomorrow(16).isoformat()
        )
        assert made.ok, made.text
    report = await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert report.pushed == 1
    google = [i for i in cal_env.state.calendar().values() if i["summary"] == "Budget review"]
    assert len(google) == 1 and google[0]["id"].startswith("sbt")
    again = await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert again.pulled == 1 and again.updated == 0 and again.imported == 0  # own write echo

    async with cal_env.tools("101") as tools:
        asked = await tools.call("delete_event", event="the budget review")
        assert asked.ok and asked.data["needs_confirmation"]["token"]
    quiet = await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert quiet.pushed == 0 and google[0]["status"] != "cancelled"  # a question changes nothing
    async with cal_env.tools("101") as tools:
        gone = await tools.confirmed("delete_event", event="the budget review")
        assert gone.ok and gone.data["deleted_id"] == made.data["event"]["id"], gone.text
    await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert google[0]["status"] == "cancelled"


async def test_429_and_500_are_retried_with_backoff(cal_env: CalEnv) -> None:
    cal_env.state.remote_add("Dentist", _tomorrow(14), _tomorrow(15))
    user_id = await cal_env.connect("101")
    conn_id = await _conn_id(cal_env, user_id)
    cal_env.state.inject(429, 500, 503)
    report = await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert report.errors == [] and report.imported == 1
    api = cal_env.sync.last_api
    assert api is not None and len(api.waits) == 3
    base = cal_env.cfg.retry_base_s
    assert all(w >= min(base * 2**i, cal_env.cfg.retry_max_s) for i, w in enumerate(api.waits))
    statuses = [s for m, p, s in cal_env.state.requests if p.startswith("/calendar/")]
    assert statuses[:4] == [429, 500, 503, 200]


async def test_persistent_failure_backs_off_and_recovers(cal_env: CalEnv) -> None:
    user_id = await cal_env.connect("101")
    conn_id = await _conn_id(cal_env, user_id)
    await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    async with cal_env.tools("101") as tools:
        assert (
            await tools.call("create_event", title="Offsite", start=_tomorrow(11).isoformat())
        ).ok
    cal_env.state.inject(*([500] * cal_env.cfg.retry_attempts))
    slow = cal_env.cfg.model_copy(update={"outbox_poll_s": 30.0})  # back-off starts at 30 s
    cal_env.sync = CalendarSync(cal_env.db, slow, cal_env.vault)
    failed = await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert failed.errors and "500" in failed.errors[0]
    status = (await cal_env.connections.status(cal_env.tenant_id, user_id))[0]
    assert status["failures"] == 1 and "500" in status["last_error"]
    assert status["pending_pushes"] == 1
    assert datetime.fromisoformat(status["next_sync_at"]) > datetime.now(UTC)
    assert await cal_env.sync.due() == []  # backing off
    ok = await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert ok.errors == [] and ok.pushed == 1
    status = (await cal_env.connections.status(cal_env.tenant_id, user_id))[0]
    assert status["failures"] == 0 and status["last_error"] == "" and status["pending_pushes"] == 0


async def _synced_event(env: CalEnv) -> tuple[int, int, str]:
    gid = env.state.remote_add("Planning", _tomorrow(10), _tomorrow(11))
    user_id = await env.connect("101")
    conn_id = await _conn_id(env, user_id)
    await env.sync.sync_connection(env.tenant_id, conn_id)
    return conn_id, (await _events(env))["Planning"].id, gid


async def test_both_sides_edited_local_newer_wins_and_remote_kept_in_audit(cal_env: CalEnv) -> None:
    conn_id, event_id, gid = await _synced_event(cal_env)
    cal_env.state.remote_edit(gid, summary="Planning (Google)")
    await asyncio.sleep(0.01)
    async with cal_env.tools("101") as tools:  # the later edit
        moved = await tools.call("update_event", event="planning", title="Planning (voice)")
        assert moved.ok and moved.data["item"]["id"] == event_id
    report = await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert report.conflicts == 1 and report.pushed == 1
    assert cal_env.state.calendar()[gid]["summary"] == "Planning (voice)"
    assert "Planning (voice)" in await _events(cal_env)
    (conflict,) = await _conflicts(cal_env)
    assert conflict["kept"] == "switchboard" and conflict["lost"]["title"] == "Planning (Google)"
    calm = await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert calm.conflicts == 0 and calm.updated == 0


async def test_both_sides_edited_remote_newer_wins_and_local_kept_in_audit(cal_env: CalEnv) -> None:
    conn_id, event_id, gid = await _synced_event(cal_env)
    async with cal_env.tools("101") as tools:
        assert (await tools.call("update_event", event=f"#{event_id}", title="Planning (voice)")).ok
    await asyncio.sleep(0.01)  # Google's timestamps have millisecond resolution
    cal_env.state.remote_edit(gid, summary="Planning (Google)")  # the later edit
    report = await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert report.conflicts == 1 and report.pushed == 0
    assert cal_env.state.calendar()[gid]["summary"] == "Planning (Google)"
    assert "Planning (Google)" in await _events(cal_env)
    (conflict,) = await _conflicts(cal_env)
    assert conflict["kept"] == "google" and conflict["lost"]["title"] == "Planning (voice)"
    async with cal_env.db.scoped(cal_env.tenant_id) as session:
        q = select(CalendarOutbox.status, CalendarOutbox.last_error)
        assert [tuple(r) for r in (await session.execute(q)).all()] == [
            ("done", "superseded by a newer Google edit")
        ]


async def test_deleted_in_google_but_edited_later_by_voice_is_restored(cal_env: CalEnv) -> None:
    conn_id, event_id, gid = await _synced_event(cal_env)
    cal_env.state.remote_delete(gid)
    async with cal_env.tools("101") as tools:
        moved = await tools.call("update_event", event="the planning", title="Planning v2")
        assert moved.ok and moved.data["item"]["id"] == event_id
    report = await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert report.conflicts == 1 and report.deleted == 0
    item = cal_env.state.calendar()[gid]
    assert item["status"] == "confirmed" and item["summary"] == "Planning v2"
    async with cal_env.db.scoped(cal_env.tenant_id) as session:
        assert (await session.execute(select(EventLink.google_id))).scalar_one() == gid


async def test_deleted_here_then_edited_in_google_comes_back(cal_env: CalEnv) -> None:
    conn_id, event_id, gid = await _synced_event(cal_env)
    async with cal_env.tools("101") as tools:
        assert (await tools.confirmed("delete_event", event=f"#{event_id}")).ok
    await asyncio.sleep(0.01)
    cal_env.state.remote_edit(gid, summary="Planning (kept in Google)")  # the later change
    report = await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert report.conflicts == 1 and report.imported == 1 and report.pushed == 0
    assert "Planning (kept in Google)" in await _events(cal_env)
    assert cal_env.state.calendar()[gid]["status"] == "confirmed"
    (conflict,) = await _conflicts(cal_env)
    assert conflict["kept"] == "google" and "deleted_at" in conflict["lost"]


async def test_edited_in_google_then_deleted_here_stays_deleted(cal_env: CalEnv) -> None:
    conn_id, event_id, gid = await _synced_event(cal_env)
    cal_env.state.remote_edit(gid, summary="Planning (Google)")
    await asyncio.sleep(0.01)
    async with cal_env.tools("101") as tools:  # the later change
        gone = await tools.confirmed("delete_event", event="planning")
        assert gone.ok and gone.data["deleted_id"] == event_id
    report = await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert report.conflicts == 1 and report.imported == 0 and report.pushed == 1
    assert not any(t.startswith("Planning") for t in await _events(cal_env))
    assert cal_env.state.calendar()[gid]["status"] == "cancelled"
    (conflict,) = await _conflicts(cal_env)
    assert conflict["kept"] == "switchboard" and conflict["lost"]["title"] == "Planning (Google)"


async def test_changes_made_while_revoked_wait_for_reconnection(cal_env: CalEnv) -> None:
    user_id = await cal_env.connect("101")
    conn_id = await _conn_id(cal_env, user_id)
    await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    cal_env.state.revoke_all()
    await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    async with cal_env.tools("101") as tools:
        assert (
            await tools.call("create_event", title="While revoked", start=_tomorrow(13).isoformat())
        ).ok
    assert (await cal_env.connections.status(cal_env.tenant_id, user_id))[0]["pending_pushes"] == 1
    await cal_env.connect("101")  # the user connects again
    report = await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert report.pushed == 1
    assert any(i.get("summary") == "While revoked" for i in cal_env.state.calendar().values())


async def test_an_unexpected_error_shows_in_status(
    cal_env: CalEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id = await cal_env.connect("101")
    conn_id = await _conn_id(cal_env, user_id)

    async def broken(*args: object) -> None:
        raise RuntimeError("surprise")

    monkeypatch.setattr("mcp_tools.calendar_sync.worker.list_changes", broken)
    report = await cal_env.sync.sync_connection(cal_env.tenant_id, conn_id)
    assert report.errors == ["unexpected RuntimeError: surprise"]
    (status,) = await cal_env.connections.status(cal_env.tenant_id, user_id)
    assert status["status"] == "connected" and status["failures"] == 1
    assert "surprise" in status["last_error"]
