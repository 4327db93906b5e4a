"""The agent over the real MCP tool server and a real database (scripted model)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

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


async def test_toolbox_loads_all_tools_compactly_and_calls_them(tool_env: ToolEnv):
    box = await real_toolbox(tool_env)
    try:
        assert len(box.names) == 38
        assert box.read_only("list_todos") and not box.read_only("create_todo")
        (schema,) = box.schemas(("create_todo",))
        assert schema["function"]["name"] == "create_todo"
        assert "title" not in schema["function"]["parameters"]  # compacted
        before = await tool_env.count(Todo, tool_env.a, Todo.title == "agent toolbox check")
        made = await box.call("create_todo", {"title": "agent toolbox check"}, 5.0)
        assert made.ok and "agent toolbox check" in made.text and made.elapsed_s < 5.0
        after = await tool_env.count(Todo, tool_env.a, Todo.title == "agent toolbox check")
        assert after == before + 1
        missing = await box.call("complete_todo", {"todo_id": 987654}, 5.0)
        assert not missing.ok and missing.text.endswith((".", "?"))
        unknown = await box.call("format_disk", {}, 5.0)
        assert not unknown.ok and unknown.code == "unknown_tool"
    finally:
        await box.close()


@sqlite_only
async def test_a_forged_token_cannot_open_a_session(tool_env: ToolEnv):
    box = ToolBox(tool_env.url, "not-a-token", connect_timeout_s=5.0)
    with pytest.raises(ToolsUnavailable):
        await box.open()
    await box.close()


@sqlite_only
async def test_agent_adds_a_todo_in_the_database(tool_env: ToolEnv, tmp_path: Path):
    model = scripted(tool_call("create_todo", title="agent real milk"))
    async with open_agent(tool_env, model, tmp_path, speak_tool_results=True) as session:
        assert session.caller.teams == ("Dev",)  # completed from the caller's profile
        _, result = await run_turn(session, "add a todo to buy milk")
    assert result.error is None and "agent real milk" in result.text
    assert await tool_env.count(Todo, tool_env.a, Todo.title == "agent real milk") == 1
    assert result.tool_calls[0].ok and result.tool_calls[0].elapsed_s < 2.0


@sqlite_only
async def test_agent_transfers_to_a_real_department(tool_env: ToolEnv, tmp_path: Path):
    model = scripted(tool_call("transfer_to_department", department="support"))
    async with open_agent(tool_env, model, tmp_path, speak_tool_results=False) as session:
        _, result = await run_turn(session, "I need to talk to a person in support")
    assert result.transfer is not None
    assert (result.transfer.department, result.transfer.queue) == ("Support", "401")
    assert result.transfer.context == "ext-queues"
    assert result.summary and "Alice Smith" in result.summary
    assert result.text == "Putting you through to Support now."


@sqlite_only
async def test_tool_server_killed_mid_call_then_back(tool_env: ToolEnv, tmp_path: Path):
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
            assert spoken == UNREACHABLE and down.error is None
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
    """Stands in for a loaded tool whose session breaks mid-call (empty-message anyio error)."""

    def __init__(self, real: object) -> None:
        self.metadata = getattr(real, "metadata", None)

    async def ainvoke(self, call: object) -> object:
        import anyio

        raise anyio.BrokenResourceError


@sqlite_only
async def test_broken_resource_reopens_the_session_and_retries_a_read(tool_env: ToolEnv):
    box = await real_toolbox(tool_env)
    try:
        conn = box._conn
        assert conn is not None
        conn.tools["list_todos"] = _BreaksOnce(conn.tools["list_todos"])  # type: ignore[assignment]
        conn.tools["create_todo"] = _BreaksOnce(conn.tools["create_todo"])  # type: ignore[assignment]
        read = await box.call("list_todos", {}, 5.0)
        assert read.ok and box.reopened == 1  # re-opened transparently, retried
        assert box._conn is not conn
        box._conn.tools["create_todo"] = _BreaksOnce(None)  # type: ignore[union-attr,assignment]
        write = await box.call("create_todo", {"title": "maybe"}, 5.0)
        assert not write.ok and write.code == "broken"  # a write is not repeated blindly
        assert "may not have gone through" in write.text
        again = await box.call("list_todos", {}, 5.0)
        assert again.ok and box.reopened == 2
    finally:
        await box.close()
