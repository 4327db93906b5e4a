"""Concurrent updates of one todo through separate MCP sessions lose neither change, and one
yes deletes once however often it is sent."""

from __future__ import annotations

import asyncio
from typing import Any

from mcp_tools.db.models import Todo
from tests.fixtures.mcp_env import ToolEnv, ToolResult


async def _update(env: ToolEnv, who: str, todo: str, **fields: Any) -> None:
    async with env.as_user(who) as c:
        r = await c.call("update_todo", todo=todo, **fields)
        assert r.ok, r.text


async def test_concurrent_field_updates_all_land(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_owner") as c:
        made = await c.call("create_team_todo", team="Dev", title="Shared", assignee="John Park")
    todo_id = made.data["todo"]["id"]
    ref = f"#{todo_id}"  # exact: its title changes under the other writers' feet
    for round_ in range(3):
        await asyncio.gather(
            _update(tool_env, "a_owner", ref, title=f"Shared v{round_}"),
            _update(tool_env, "a_admin", ref, priority=["low", "high", "urgent"][round_]),
            _update(tool_env, "a_member", ref, notes=f"notes {round_}"),
            _update(tool_env, "a_owner", ref, due=f"2030-01-0{round_ + 1}T10:00"),
        )
        async with tool_env.db.scoped(tool_env.a.id) as session:
            todo = await session.get(Todo, todo_id)
            assert todo is not None
            assert todo.title == f"Shared v{round_}"
            assert todo.priority == ["low", "high", "urgent"][round_]
            assert todo.notes == f"notes {round_}"
            assert todo.due_at is not None and todo.due_at.day == round_ + 1
            assert todo.version == 1 + 4 * (round_ + 1)


async def test_concurrent_complete_and_edit(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_member") as c:
        made = await c.call("create_todo", title="Race me")
    todo_id = made.data["todo"]["id"]

    async def complete() -> None:
        async with tool_env.as_user("a_member") as c:
            assert (await c.call("complete_todo", todo=f"#{todo_id}")).ok

    await asyncio.gather(complete(), _update(tool_env, "a_member", f"#{todo_id}", title="Raced"))
    async with tool_env.db.scoped(tool_env.a.id) as session:
        todo = await session.get(Todo, todo_id)
        assert todo is not None and todo.status == "done" and todo.title == "Raced"


async def test_one_yes_deletes_once(tool_env: ToolEnv) -> None:
    deletes = await tool_env.audits(tool_env.a, "todo.delete", "ok")
    token = tool_env.token(tool_env.a, "103", "member", call_id="c-twice")
    async with tool_env.client(token) as c:
        made = await c.call("create_todo", title="Shred the old contracts")
        asked = await c.call("delete_todo", todo="old contracts")
    todo_id, yes = made.data["todo"]["id"], asked.data["needs_confirmation"]["token"]

    async def say_yes() -> ToolResult:
        async with tool_env.client(token) as c:
            return await c.call("delete_todo", todo=f"#{todo_id}", confirm=yes)

    results = await asyncio.gather(*(say_yes() for _ in range(4)))
    deleted = [r for r in results if r.ok]
    assert [r.text for r in deleted] == ["Deleted: Shred the old contracts."]
    assert all(r.code in ("not_found", "conflict") for r in results if not r.ok), results
    assert await tool_env.count(Todo, tool_env.a, Todo.id == todo_id) == 0
    assert await tool_env.audits(tool_env.a, "todo.delete", "ok") == deletes + 1
