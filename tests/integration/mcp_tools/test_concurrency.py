"""Concurrent updates of one todo through separate MCP sessions lose neither change."""

from __future__ import annotations

import asyncio
from typing import Any

from mcp_tools.db.models import Todo
from tests.fixtures.mcp_env import ToolEnv


async def _update(env: ToolEnv, who: str, todo_id: int, **fields: Any) -> None:
    async with env.as_user(who) as c:
        r = await c.call("update_todo", todo_id=todo_id, **fields)
        assert r.ok, r.text


async def test_concurrent_field_updates_all_land(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_owner") as c:
        made = await c.call("create_team_todo", team="Dev", title="Shared", assignee="John Park")
    todo_id = made.data["todo"]["id"]
    for round_ in range(3):
        await asyncio.gather(
            _update(tool_env, "a_owner", todo_id, title=f"Shared v{round_}"),
            _update(tool_env, "a_admin", todo_id, priority=["low", "high", "urgent"][round_]),
            _update(tool_env, "a_member", todo_id, notes=f"notes {round_}"),
            _update(tool_env, "a_owner", todo_id, due=f"2030-01-0{round_ + 1}T10:00"),
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
            assert (await c.call("complete_todo", todo_id=todo_id)).ok

    await asyncio.gather(complete(), _update(tool_env, "a_member", todo_id, title="Raced"))
    async with tool_env.db.scoped(tool_env.a.id) as session:
        todo = await session.get(Todo, todo_id)
        assert todo is not None and todo.status == "done" and todo.title == "Raced"
