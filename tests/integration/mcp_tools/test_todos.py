"""Personal todos and team work over a real MCP session, on SQLite and PostgreSQL."""

from __future__ import annotations

from mcp_tools.db.models import Todo
from tests.fixtures.mcp_env import ToolEnv


async def test_personal_todo_lifecycle(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_member") as c:
        made = await c.call(
            "create_todo", title="Buy printer paper", due="tomorrow at 9", priority="high"
        )
        assert made.ok, made.text
        todo_id = made.data["todo"]["id"]
        assert made.text.startswith(f"Added todo {todo_id}: Buy printer paper, due tomorrow")
        assert made.data["todo"]["priority"] == "high"

        listed = await c.call("list_todos")
        assert listed.ok and todo_id in [t["id"] for t in listed.data["todos"]]
        assert "Buy printer paper" in listed.text

        got = await c.call("get_todo", todo_id=todo_id)
        assert got.ok and got.data["todo"]["title"] == "Buy printer paper"

        upd = await c.call("update_todo", todo_id=todo_id, notes="A4, two boxes", priority="low")
        assert upd.ok and upd.data["todo"]["notes"] == "A4, two boxes"
        assert upd.data["todo"]["priority"] == "low"

        found = await c.call("search_todos", query="printr paper")
        assert found.ok and [t["id"] for t in found.data["todos"]] == [todo_id]

        done = await c.call("complete_todo", todo_id=todo_id)
        assert done.ok and done.data["todo"]["status"] == "done"
        assert (await c.call("list_todos", status="done")).data["count"] >= 1

        gone = await c.call("delete_todo", todo_id=todo_id)
        assert gone.ok and gone.data == {"deleted_id": todo_id}
        missing = await c.call("get_todo", todo_id=todo_id)
        assert not missing.ok and missing.code == "not_found"
        assert missing.text == f"I couldn't find todo {todo_id}."
    assert await tool_env.audits(tool_env.a, "todo.create", "ok") >= 1
    assert await tool_env.audits(tool_env.a, "todo.delete", "ok") >= 1


async def test_time_phrase_ambiguity_is_a_question(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_member") as c:
        before = await tool_env.count(Todo, tool_env.a)
        r = await c.call("create_todo", title="Call the bank", due="tomorrow at 3")
        assert not r.ok and r.code == "ambiguous"
        assert r.text == "Do you mean 3 in the morning or 3 in the afternoon?"
        assert await tool_env.count(Todo, tool_env.a) == before


async def test_team_todo_assign_by_spoken_name(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_owner") as c:
        made = await c.call(
            "create_team_todo", team="the dev team", title="Fix the build", due="Friday 3pm"
        )
        assert made.ok, made.text
        todo_id = made.data["todo"]["id"]
        which = await c.call("assign_todo", todo_id=todo_id, person="John")
        assert not which.ok and which.text == "Which John: John Smith or John Park?"
        ok = await c.call("assign_todo", todo_id=todo_id, person="john park", team="dev")
        assert ok.ok and ok.data["todo"]["assignee"] == "John Park"
        team = await c.call("list_team_todos", team="Dev")
        assert ok.ok and todo_id in [t["id"] for t in team.data["todos"]]
        assert team.text.startswith("The Dev team has")
    async with tool_env.as_user("a_member") as c:  # John Park
        mine = await c.call("list_my_assignments")
        assert mine.ok and todo_id in [t["id"] for t in mine.data["todos"]]
        done = await c.call("complete_todo", todo_id=todo_id)
        assert done.ok, done.text
