"""Conversation state on PostgreSQL (the production checkpointer), survived across runtimes."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent import AgentRuntime, AgentSession
from agent.checkpoint import open_checkpointer
from tests.fixtures.agent_fakes import CALLER, FakeTools, agent_settings, run_turn
from tests.fixtures.llm import scripted, tool_call
from tests.fixtures.postgres import create_database, drop_database

pytestmark = pytest.mark.postgres


async def test_state_is_checkpointed_in_postgres_and_repaired_there(
    postgres_server_url: str, tmp_path: Path
):
    url = await create_database(postgres_server_url)
    settings = agent_settings(tmp_path, turn_budget_s=1.0)
    try:
        model = scripted(tool_call("create_todo", title="x"), "Second answer.")
        runtime = await AgentRuntime.start(settings, model=model, checkpoint=url)
        tools = FakeTools(hangs={"create_todo"})
        try:
            session = await AgentSession.open(settings, "t", CALLER, runtime=runtime, tools=tools)
            _, first = await run_turn(session, "add a todo x")
            assert first.error == "timeout"
        finally:
            await runtime.aclose()
        # a new process (runtime) continues the same call's thread from PostgreSQL
        runtime = await AgentRuntime.start(settings, model=model, checkpoint=url)
        try:
            session = await AgentSession.open(settings, "t", CALLER, runtime=runtime, tools=tools)
            history = await session.messages()
            assert [m.type for m in history] == ["human", "ai", "tool", "ai"]
            _, second = await run_turn(session, "hello")
            assert second.text == "Second answer."
        finally:
            await runtime.aclose()
    finally:
        await drop_database(postgres_server_url, url)


async def test_unknown_checkpoint_scheme_is_refused():
    with pytest.raises(ValueError, match="unsupported"):
        async with open_checkpointer("redis://nowhere"):
            pass
