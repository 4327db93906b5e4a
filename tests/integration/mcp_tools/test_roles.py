"""Roles over real MCP sessions: a Viewer writes nothing, a Member cannot manage a team,
and every refusal is in the audit log with actor, action and channel."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from mcp_tools.db.models import AuditEntry
from tests.fixtures.mcp_env import ToolEnv


async def _own_items(env: ToolEnv) -> dict[str, int]:
    """A todo, reminder and event owned by the viewer (seeded directly: viewers can't create)."""
    from datetime import UTC, datetime, timedelta

    from mcp_tools.db.models import Event, Reminder, Todo

    uid = env.a.users["105"]
    later = datetime.now(UTC) + timedelta(days=1)
    async with env.db.scoped(env.a.id) as session, session.begin():
        todo = Todo(owner_id=uid, title="viewer's own todo")
        rem = Reminder(user_id=uid, text="viewer's reminder", remind_at=later)
        ev = Event(
            owner_id=uid,
            title="viewer's event",
            starts_at=later,
            ends_at=later + timedelta(hours=1),
        )
        session.add_all([todo, rem, ev])
        await session.flush()
        return {"todo": todo.id, "reminder": rem.id, "event": ev.id}


def viewer_writes(items: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Every writing tool with arguments that would succeed for a Member."""
    t, r, e = items["todo"], items["reminder"], items["event"]
    return {
        "create_todo": {"title": "nope"},
        "update_todo": {"todo_id": t, "title": "nope"},
        "complete_todo": {"todo_id": t},
        "delete_todo": {"todo_id": t},
        "create_team_todo": {"team": "Support", "title": "nope"},
        "assign_todo": {"todo_id": t, "person": "Maria"},
        "create_reminder": {"text": "nope", "when": "in 2 hours"},
        "update_reminder": {"reminder_id": r, "text": "nope"},
        "cancel_reminder": {"reminder_id": r},
        "snooze_reminder": {"reminder_id": r},
        "create_event": {"title": "nope", "start": "in 3 hours"},
        "update_event": {"event_id": e, "title": "nope"},
        "delete_event": {"event_id": e},
        "create_team": {"name": "Viewer team"},
        "add_team_member": {"team": "Support", "person": "John Park"},
        "remove_team_member": {"team": "Support", "person": "John Smith"},
        "change_member_role": {"team": "Support", "person": "John Smith", "role": "admin"},
        "update_my_profile": {"aliases": ["D"]},
    }


async def test_viewer_cannot_write_anything(tool_env: ToolEnv) -> None:
    items = await _own_items(tool_env)
    writes = viewer_writes(items)
    async with tool_env.as_user("a_viewer") as c:
        tools = {t.name: t for t in (await c.session.list_tools()).tools}
        read_only = {n for n, t in tools.items() if t.annotations and t.annotations.readOnlyHint}
        # every tool is either read-only, a write tested here, or the transfer (allowed to all)
        assert set(tools) == read_only | set(writes) | {"transfer_to_department"}
        for tool, args in writes.items():
            r = await c.call(tool, **args)
            assert not r.ok and r.code == "forbidden", (tool, r.text)
            assert r.text.startswith("You have view-only access"), r.text
        for tool in sorted(read_only):
            if not tools[tool].inputSchema.get("required"):
                assert (await c.call(tool)).ok, tool
    async with tool_env.db.scoped(tool_env.a.id) as session:
        rows = (
            (
                await session.execute(
                    select(AuditEntry).where(
                        AuditEntry.actor_user_id == tool_env.a.users["105"],
                        AuditEntry.outcome == "refused",
                    )
                )
            )
            .scalars()
            .all()
        )
    refused = {r.action for r in rows}
    assert len(refused) == len(writes)
    assert all(r.channel == "voice" and r.detail["code"] == "forbidden" for r in rows)


async def test_member_cannot_manage_team(tool_env: ToolEnv) -> None:
    before = await tool_env.audits(tool_env.a, "team.add_member", "refused")
    async with tool_env.as_user("a_member") as c:  # John Park: Dev member
        for tool, args in {
            "add_team_member": {"team": "Dev", "person": "Maria"},
            "remove_team_member": {"team": "Dev", "person": "John Smith"},
            "change_member_role": {"team": "Dev", "person": "John Park", "role": "admin"},
            "create_team": {"name": "Members' club"},
        }.items():
            r = await c.call(tool, **args)
            assert not r.ok and r.code == "forbidden", (tool, r.text)
        # but a member may work in the team
        assert (await c.call("create_team_todo", team="Dev", title="member work")).ok
    assert await tool_env.audits(tool_env.a, "team.add_member", "refused") == before + 1
    assert await tool_env.audits(tool_env.a, "team.create", "refused") >= 1


async def test_non_member_cannot_read_a_team(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_member") as c:  # John Park is not in Support
        for tool in ("get_team", "list_team_members", "list_team_todos"):
            r = await c.call(tool, team="Support")
            assert not r.ok and r.code == "forbidden"
    assert await tool_env.audits(tool_env.a, "team.get", "refused") >= 1
