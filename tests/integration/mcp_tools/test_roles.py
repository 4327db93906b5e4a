"""Roles over real MCP sessions: a Viewer writes nothing, a Member cannot manage a team or
delete team work, nobody is asked a yes/no question for something they may not do, and every
refusal is in the audit log with actor, action and channel."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from mcp_tools.db.models import AuditEntry, Todo
from tests.fixtures.mcp_env import ToolEnv


async def _own_items(env: ToolEnv) -> dict[str, int]:
    """A todo, reminder and event owned by the viewer (seeded directly: viewers can't create)."""
    from datetime import UTC, datetime, timedelta

    from mcp_tools.db.models import Event, Reminder

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
    """Every writing tool with arguments that would succeed for a Member (the viewer's own
    items named in words, as callers do)."""
    return {
        "create_todo": {"title": "nope"},
        "update_todo": {"todo": "viewer's own todo", "title": "nope"},
        "complete_todo": {"todo": "my own todo"},
        "delete_todo": {"todo": f"#{items['todo']}"},
        "create_team_todo": {"team": "Support", "title": "nope"},
        "assign_todo": {"todo": "viewer's own", "person": "Maria"},
        "create_reminder": {"text": "nope", "when": "in 2 hours"},
        "update_reminder": {"reminder": "viewer's reminder", "text": "nope"},
        "cancel_reminder": {"reminder": f"#{items['reminder']}"},
        "snooze_reminder": {"reminder": "my reminder"},  # the viewer's own
        "create_event": {"title": "nope", "start": "in 3 hours"},
        "update_event": {"event": "viewer's event", "title": "nope"},
        "delete_event": {"event": "the viewer's event"},
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
        # every tool is read-only, a write tested here, or reaching a person (allowed to all:
        # a transfer, or a callback, which files a todo on the department's list)
        reach = {"transfer_to_department", "request_callback"}
        assert set(tools) == read_only | set(writes) | reach
        for tool, args in writes.items():
            r = await c.call(tool, **args)
            assert not r.ok and r.code == "forbidden", (tool, r.text)
            assert r.text.startswith("You have view-only access"), r.text
            assert "needs_confirmation" not in r.data, tool  # refused, not asked
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
    async with tool_env.as_user("a_viewer") as c:  # a viewer may still ask to be called back
        called_back = await c.call("request_callback", department="Support")
        assert called_back.ok, called_back.text


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


async def test_team_todo_delete_needs_a_team_admin_and_their_own_yes(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_owner") as c:
        made = await c.call("create_team_todo", team="Dev", title="Retire the old build server")
    todo_id = made.data["todo"]["id"]
    async with tool_env.as_user("a_member") as c:  # John Park: Dev member, may edit
        assert (await c.call("update_todo", todo="old build server", notes="after the move")).ok
        r = await c.call("delete_todo", todo="old build server")
        assert not r.ok and r.code == "forbidden" and "needs_confirmation" not in r.data
    async with tool_env.as_user("a_admin") as c:  # John Smith: Dev admin
        asked = await c.call("delete_todo", todo="old build server")
        assert asked.ok and asked.text == "Delete Retire the old build server? Yes or no?"
        token = asked.data["needs_confirmation"]["token"]
    async with tool_env.as_user("a_owner") as c:  # Alice may delete, but not with John's yes
        r = await c.call("delete_todo", todo="old build server", confirm=token)
        assert r.ok and "needs_confirmation" in r.data
    assert await tool_env.count(Todo, tool_env.a, Todo.id == todo_id) == 1
    async with tool_env.as_user("a_admin") as c:
        done = await c.call("delete_todo", todo="old build server", confirm=token)
        assert done.ok and done.text == "Deleted: Retire the old build server."
    assert await tool_env.count(Todo, tool_env.a, Todo.id == todo_id) == 0


async def test_team_changes_are_asked_first_and_then_checked_again(tool_env: ToolEnv) -> None:
    name = f"Roles {uuid.uuid4().hex[:4]}"
    async with tool_env.as_user("a_admin") as c:  # John Smith: creates it, so its owner
        assert (await c.call("create_team", name=name)).ok
        assert (await c.call("add_team_member", team=name, person="Maria Garcia")).ok
        asked = await c.call("change_member_role", team=name, person="Maria", role="admin")
        assert asked.ok and asked.text == f"Make Maria Garcia admin of the {name} team? Yes or no?"
        token = asked.data["needs_confirmation"]["token"]
        roles = await c.call("list_team_members", team=name)
        assert {m["name"]: m["role"] for m in roles.data["members"]}["Maria Garcia"] == "member"
        # the yes was for admin, not owner, and not for removing her
        owner = await c.call(
            "change_member_role", team=name, person="Maria", role="owner", confirm=token
        )
        assert owner.ok and "needs_confirmation" in owner.data
        removed = await c.call("remove_team_member", team=name, person="Maria", confirm=token)
        assert removed.ok and "needs_confirmation" in removed.data
        made = await c.call(
            "change_member_role", team=name, person="Maria", role="admin", confirm=token
        )
        assert made.ok and made.data["role"] == "admin"
        same = await c.call("change_member_role", team=name, person="Maria", role="admin")
        assert same.ok and same.text == f"Maria Garcia is already admin of the {name} team."
        outsider = await c.call("remove_team_member", team=name, person="Dev Patel")
        assert not outsider.ok and outsider.code == "not_found"
        assert outsider.text == f"Dev Patel isn't in the {name} team."
    async with tool_env.as_user("a_member2") as c:  # Maria, now an admin of that team
        r = await c.call("remove_team_member", team=name, person="John Smith")
        assert not r.ok and r.code == "forbidden" and "needs_confirmation" not in r.data


async def test_non_member_cannot_read_a_team(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_member") as c:  # John Park is not in Support
        for tool in ("get_team", "list_team_members", "list_team_todos"):
            r = await c.call(tool, team="Support")
            assert not r.ok and r.code == "forbidden"
    assert await tool_env.audits(tool_env.a, "team.get", "refused") >= 1


async def test_a_non_member_with_a_similar_name_is_not_taken_for_a_member(
    tool_env: ToolEnv,
) -> None:
    name = f"Lookalike {uuid.uuid4().hex[:4]}"
    async with tool_env.as_user("a_owner") as c:  # Alice: owner of the new team
        assert (await c.call("create_team", name=name)).ok
        assert (await c.call("add_team_member", team=name, person="John Smith")).ok
        r = await c.call("remove_team_member", team=name, person="John Park")
        assert not r.ok and r.text == f"John Park isn't in the {name} team.", r.text
