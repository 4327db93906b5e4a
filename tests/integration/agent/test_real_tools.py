"""The agent over the real MCP tool server and a real database (scripted model)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from sqlalchemy import select

from agent.events import Sentence, ToolFinished
from agent.tools import UNREACHABLE, ToolBox, ToolsUnavailable
from mcp_tools.app import HttpToolServer
from mcp_tools.db.models import Todo
from mcp_tools.server import build_server
from tests.fixtures.agent_fakes import run_turn
from tests.fixtures.agent_tools import open_agent, real_toolbox
from tests.fixtures.llm import scripted, tool_call
from tests.fixtures.mcp_env import ToolEnv
from tests.fixtures.postgres import free_port

sqlite_only = pytest.mark.parametrize("tool_env", ["sqlite"], indirect=True)


async def test_toolbox_loads_all_tools_compactly_and_calls_them(tool_env: ToolEnv) -> None:
    box = await real_toolbox(tool_env)
    try:
        assert len(box.names) == 39
        assert box.read_only("list_todos") and not box.read_only("create_todo")
        (schema,) = box.schemas(("create_todo",))
        assert schema["function"]["name"] == "create_todo"
        assert "title" not in schema["function"]["parameters"]  # compacted
        before = await tool_env.count(Todo, tool_env.a, Todo.title == "agent toolbox check")
        made = await box.call("create_todo", {"title": "agent toolbox check"}, 5.0)
        assert made.ok and "agent toolbox check" in made.text and made.elapsed_s < 5.0
        after = await tool_env.count(Todo, tool_env.a, Todo.title == "agent toolbox check")
        assert after == before + 1
        by_words = await box.call("get_todo", {"todo": "the toolbox check"}, 5.0)
        assert by_words.ok and by_words.data["item"]["title"] == "agent toolbox check"
        missing = await box.call("complete_todo", {"todo": "#987654"}, 5.0)
        assert not missing.ok and missing.text == "I couldn't find that todo any more."
        asked = await box.call("delete_todo", {"todo": "agent toolbox check"}, 5.0)
        assert asked.ok and asked.data["needs_confirmation"]["token"]
        assert await tool_env.count(Todo, tool_env.a, Todo.title == "agent toolbox check") == after
        unknown = await box.call("format_disk", {}, 5.0)
        assert not unknown.ok and unknown.code == "unknown_tool"
    finally:
        await box.close()


@sqlite_only
async def test_toolbox_keeps_error_codes_and_options(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_owner") as c:
        for title in ("agent box call the plumber", "agent box call the painter"):
            assert (await c.call("create_todo", title=title)).ok
    box = await real_toolbox(tool_env)
    try:
        which = await box.call("get_todo", {"todo": "agent box call"}, 5.0)
        assert not which.ok and which.text.startswith("Which one: ")
        assert which.code == "ambiguous", which
        assert len(which.data["options"]) == 2
        missing = await box.call("get_todo", {"todo": "#987654"}, 5.0)
        assert missing.code == "not_found"
    finally:
        await box.close()


@sqlite_only
async def test_a_forged_token_cannot_open_a_session(tool_env: ToolEnv) -> None:
    box = ToolBox(tool_env.url, "not-a-token", connect_timeout_s=5.0)
    with pytest.raises(ToolsUnavailable):
        await box.open()
    await box.close()


@sqlite_only
async def test_agent_adds_a_todo_in_the_database(tool_env: ToolEnv, tmp_path: Path) -> None:
    model = scripted(tool_call("create_todo", title="agent real milk"))
    async with open_agent(tool_env, model, tmp_path, speak_tool_results=True) as session:
        assert "Dev" in session.caller.teams  # completed from the caller's profile
        _, result = await run_turn(session, "add a todo to buy milk")
    assert result.error is None and "agent real milk" in result.text
    assert await tool_env.count(Todo, tool_env.a, Todo.title == "agent real milk") == 1
    assert result.tool_calls[0].ok and result.tool_calls[0].elapsed_s < 2.0


async def _todo_ids(env: ToolEnv, *titles: str) -> dict[str, int]:
    async with env.db.scoped(env.a.id) as session:
        rows = await session.execute(select(Todo.title, Todo.id).where(Todo.title.in_(titles)))
        return {title: todo_id for title, todo_id in rows.tuples()}


@sqlite_only
async def test_agent_deletes_only_after_the_callers_yes(tool_env: ToolEnv, tmp_path: Path) -> None:
    async with tool_env.as_user("a_owner") as c:
        for title in ("agent real sourdough", "agent real baguette"):
            assert (await c.call("create_todo", title=title)).ok
    model = scripted(  # answers to the questions are read by the answer reader, not the model
        tool_call("delete_todo", "c1", todo="the sourdough", confirm="yes"),  # dropped
        tool_call("delete_todo", "c2", todo="sourdough"),
        tool_call("delete_todo", "c3", todo="the baguette"),
    )
    async with open_agent(tool_env, model, tmp_path, speak_tool_results=True) as session:
        _, asked = await run_turn(session, "delete the sourdough todo")
        assert asked.text == "Delete agent real sourdough? Yes or no?", asked.text
        (call,) = asked.tool_calls
        assert call.ok and "confirm" not in call.args  # the model's "confirm" never reaches it
        assert "agent real sourdough" in await _todo_ids(tool_env, "agent real sourdough")

        _, kept = await run_turn(session, "hmm actually keep it")
        assert kept.text == "Okay, I've left it as it is." and kept.tool_calls == ()
        assert "agent real sourdough" in await _todo_ids(tool_env, "agent real sourdough")

        _, again = await run_turn(session, "no really, delete the sourdough")
        assert again.text == "Delete agent real sourdough? Yes or no?"
        _, done = await run_turn(session, "yes go ahead")
        assert done.text == "Deleted: agent real sourdough.", done.text
        assert done.tool_calls[0].args.get("confirm")  # the system's token, after the yes
        assert await _todo_ids(tool_env, "agent real sourdough") == {}

        _, other = await run_turn(session, "and the baguette")
        assert other.text == "Delete agent real baguette? Yes or no?"
        _, no = await run_turn(session, "no")
        assert no.text == "Okay, I've left it as it is."
    assert list(await _todo_ids(tool_env, "agent real baguette")) == ["agent real baguette"]


@sqlite_only
async def test_agent_asks_which_one_and_acts_on_the_pick(tool_env: ToolEnv, tmp_path: Path) -> None:
    titles = ("agent real ring the garage", "agent real ring the school")
    async with tool_env.as_user("a_owner") as c:
        for title in titles:
            assert (await c.call("create_todo", title=title)).ok
    ids = await _todo_ids(tool_env, *titles)
    model = scripted(tool_call("complete_todo", todo="the ring one"))
    async with open_agent(tool_env, model, tmp_path, speak_tool_results=True) as session:
        _, which = await run_turn(session, "tick off the ring one")
        assert which.text == f"Which one: {titles[0]}, or {titles[1]}?", which.text
        assert [o["ref"] for o in which.tool_calls[0].data["options"]] == [
            f"#{ids[t]}" for t in titles
        ]
        _, done = await run_turn(session, "the school one")
        assert done.text == f"Done: {titles[1]}.", done.text
        assert done.tool_calls[0].args == {"todo": f"#{ids[titles[1]]}"}
    async with tool_env.db.scoped(tool_env.a.id) as session_db:
        status = dict(
            (
                await session_db.execute(
                    select(Todo.title, Todo.status).where(Todo.title.in_(titles))
                )
            )
            .tuples()
            .all()
        )
    assert status == {titles[0]: "open", titles[1]: "done"}


@sqlite_only
async def test_agent_transfers_to_a_real_department(tool_env: ToolEnv, tmp_path: Path) -> None:
    model = scripted(tool_call("transfer_to_department", department="support"))
    async with open_agent(tool_env, model, tmp_path, speak_tool_results=False) as session:
        _, result = await run_turn(session, "I need to talk to a person in support")
    assert result.transfer is not None
    assert (result.transfer.department, result.transfer.queue) == ("Support", "401")
    assert result.transfer.context == "ext-queues"
    assert result.summary and "Alice Smith" in result.summary
    assert result.text == "Putting you through to Support now."


@sqlite_only
async def test_tool_server_killed_mid_call_then_back(tool_env: ToolEnv, tmp_path: Path) -> None:
    port = free_port()

    def server() -> HttpToolServer:
        return HttpToolServer(
            build_server(tool_env.db, tool_env.tokens, port=port), "127.0.0.1", port
        )

    first = server()
    await first.start()
    model = scripted(
        tool_call("list_todos", "c1"),
        tool_call("list_todos", "c2"),
        tool_call("list_todos", "c3"),
    )
    stopped = False
    try:
        async with open_agent(
            tool_env, model, tmp_path, url=first.url, speak_tool_results=True, tool_budget_s=4.0
        ) as session:
            _, ok = await run_turn(session, "what is on my list")
            assert ok.tool_calls[0].ok
            await first.stop()
            stopped = True
            outputs, down = await run_turn(session, "what is on my list")
            spoken = " ".join(o.text for o in outputs if isinstance(o, Sentence))
            assert spoken == UNREACHABLE and down.error == "tools_unavailable"
            assert down.timings.total_s < 3.0  # a dead server is noticed, not waited out
            assert next(t.code for t in outputs if isinstance(t, ToolFinished)) in (
                "down",
                "broken",
            )
            again = server()
            await again.start()
            try:
                _, back = await run_turn(session, "what is on my list")
            finally:
                await again.stop()
            assert back.tool_calls[0].ok, back.text
            assert session.tools.reopened >= 1
    finally:
        if not stopped:
            with contextlib.suppress(Exception):
                await first.stop()


class _BreaksOnce:
    """Stands in for an MCP session that breaks mid-call (the empty-message anyio error)."""

    async def call_tool(self, name: str, arguments: object) -> object:
        import anyio

        raise anyio.BrokenResourceError


@sqlite_only
async def test_broken_resource_reopens_the_session_and_retries_a_read(tool_env: ToolEnv) -> None:
    box = await real_toolbox(tool_env)
    try:
        conn = box._conn
        assert conn is not None
        conn.session = _BreaksOnce()  # type: ignore[assignment]
        read = await box.call("list_todos", {}, 5.0)
        assert read.ok and box.reopened == 1  # re-opened transparently, retried
        assert box._conn is not conn
        box._conn.session = _BreaksOnce()  # type: ignore[union-attr,assignment]
        write = await box.call("create_todo", {"title": "maybe"}, 5.0)
        assert not write.ok and write.code == "broken"  # a write is not repeated blindly
        assert "may not have gone through" in write.text
        again = await box.call("list_todos", {}, 5.0)
        assert again.ok and box.reopened == 2
    finally:
        await box.close()
