"""End to end with the real bundled model (served once per session) and the real tools.

Gated only on the requests the 1.5B model gets right reliably (see the issue); the rest of
the spoken-style set is scored by ``switchboard bench agent``.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from agent.events import ToolStarted
from mcp_tools.db.models import Event, Todo
from switchboard.settings import AgentSettings
from tests.fixtures.agent_fakes import run_turn
from tests.fixtures.agent_tools import ALICE, open_agent
from tests.fixtures.llm import LocalLlm
from tests.fixtures.mcp_env import ToolEnv

pytestmark = pytest.mark.slow
sqlite = pytest.mark.parametrize("tool_env", ["sqlite"], indirect=True)
GENEROUS = {"turn_budget_s": 90.0, "tool_budget_s": 20.0, "filler_after_s": 1.5}


async def ask(env: ToolEnv, llm: LocalLlm, tmp: Path, text: str):
    caller = replace(ALICE, call_id=uuid.uuid4().hex)
    local = {"provider": "local", "base_url": llm.base_url, **GENEROUS}
    async with open_agent(env, None, tmp, caller=caller, **local) as session:
        outputs, result = await run_turn(session, text)
    calls = [(o.name, o.args) for o in outputs if isinstance(o, ToolStarted)]
    return calls, result


@sqlite
async def test_add_a_todo(tool_env: ToolEnv, local_llm: LocalLlm, tmp_path: Path):
    calls, result = await ask(tool_env, local_llm, tmp_path, "Add a todo to buy oat milk.")
    assert calls and calls[0][0] == "create_todo", result.text
    assert "oat milk" in str(calls[0][1].get("title", "")).lower()
    assert await tool_env.count(Todo, tool_env.a, Todo.title.ilike("%oat milk%")) == 1
    assert result.error is None and "{" not in result.text


@sqlite
async def test_what_is_on_my_list(tool_env: ToolEnv, local_llm: LocalLlm, tmp_path: Path):
    calls, result = await ask(tool_env, local_llm, tmp_path, "What is on my to-do list?")
    assert calls and calls[0][0] == "list_todos", result.text
    assert result.error is None and result.text


@sqlite
async def test_book_a_meeting_next_monday(tool_env: ToolEnv, local_llm: LocalLlm, tmp_path: Path):
    text = "Book a one-hour meeting called planning next Monday at 10 am."
    calls, result = await ask(tool_env, local_llm, tmp_path, text)
    assert calls and calls[0][0] == "create_event", result.text
    tz = ZoneInfo("America/New_York")
    today = datetime.now(tz).date()
    monday = today + timedelta(days=(7 - today.weekday()) or 7)
    async with tool_env.db.scoped(tool_env.a.id) as session:
        events = (
            await session.execute(select(Event).where(Event.title.ilike("%planning%")))
        ).scalars()
        starts = {(e.starts_at.astimezone(tz), e.ends_at.astimezone(tz)) for e in events}
    assert any(
        s.date() == monday and s.hour == 10 and (e - s) == timedelta(hours=1) for s, e in starts
    ), (calls, starts)


@sqlite
async def test_transfer_to_sales(tool_env: ToolEnv, local_llm: LocalLlm, tmp_path: Path):
    calls, result = await ask(tool_env, local_llm, tmp_path, "I need to speak to someone in sales.")
    assert calls and calls[0][0] == "transfer_to_department", result.text
    assert "sales" in str(calls[0][1].get("department", "")).lower()
    if result.transfer is not None:  # Sales keeps office hours
        assert result.transfer.queue == "402" and result.summary
    else:
        assert "closed" in result.text.lower()


@sqlite
async def test_thanks_thats_all_uses_no_tool(
    tool_env: ToolEnv, local_llm: LocalLlm, tmp_path: Path
):
    calls, result = await ask(tool_env, local_llm, tmp_path, "Thanks, that's all.")
    assert calls == []
    assert result.text and result.error is None and "{" not in result.text


async def test_keyboard_chat_with_the_bundled_model(
    local_llm: LocalLlm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    import builtins

    from pydantic import SecretStr

    from mcp_tools.db import migrate
    from mcp_tools.db.session import Database
    from mcp_tools.seed import DEMO_DID, seed_demo
    from switchboard.cli.chat import run_chat
    from switchboard.settings import DatabaseSettings, Settings, ToolsSettings

    url = f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"
    db = Database(url)
    await migrate.upgrade(db)
    await seed_demo(db, 4)
    await db.dispose()
    settings = Settings(
        state_dir=tmp_path,
        database=DatabaseSettings(url=SecretStr(url)),
        tools=ToolsSettings(token_key=SecretStr("k" * 40), bcrypt_rounds=4, port=1),
        agent=AgentSettings(provider="local", base_url=local_llm.base_url, **GENEROUS),
    )
    lines = ["Add a todo to buy bread.", "quit"]
    monkeypatch.setattr(builtins, "input", lambda prompt="": lines.pop(0))
    assert await run_chat(settings, DEMO_DID, "101", "4821", None) == 0
    out = capsys.readouterr().out
    assert "-> create_todo(" in out and "<- create_todo ok in" in out
    assert "agent> Added to your list" in out and "[turn " in out
