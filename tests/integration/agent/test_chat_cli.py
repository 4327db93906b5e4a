"""``switchboard chat``: PIN sign-in through mcp_tools' auth service, the tool server served
in-process, the agent wired end to end (model endpoint down: the turn still answers)."""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from agent.events import (
    Filler,
    Sentence,
    ToolFinished,
    ToolStarted,
    TransferAction,
    TurnResult,
    TurnTimings,
)
from mcp_tools.db import migrate
from mcp_tools.db.session import Database
from mcp_tools.seed import DEMO_DID, seed_demo
from switchboard.cli.chat import chat_loop, render, run_chat
from switchboard.settings import AgentSettings, DatabaseSettings, Settings, ToolsSettings
from tests.fixtures.agent_fakes import run_turn
from tests.fixtures.llm import scripted


@pytest.fixture
async def demo_settings(tmp_path: Path) -> Settings:
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    db = Database(url)
    await migrate.upgrade(db)
    await seed_demo(db, 4)
    await db.dispose()
    return Settings(
        state_dir=tmp_path,
        cache_dir=tmp_path / "cache",
        database=DatabaseSettings(url=SecretStr(url)),
        tools=ToolsSettings(token_key=SecretStr("k" * 40), bcrypt_rounds=4, port=1),
        agent=AgentSettings(
            provider="openai", base_url="http://127.0.0.1:9/v1", api_key=SecretStr("x"),
            turn_budget_s=5.0, request_timeout_s=2.0,
        ),
    )  # fmt: skip


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    lines: list[str] = []

    def fake_input(prompt: str = "") -> str:
        if not lines:
            raise EOFError
        return lines.pop(0)

    monkeypatch.setattr(builtins, "input", fake_input)
    yield lines


async def test_wrong_pin_is_refused(demo_settings: Settings, typed: list[str], capsys):
    assert await run_chat(demo_settings, DEMO_DID, "101", "0000", None) == 1
    assert "refused (wrong_pin)" in capsys.readouterr().err


async def test_unknown_number_is_refused(demo_settings: Settings, typed: list[str]):
    assert await run_chat(demo_settings, "+19999999", "101", "4821", None) == 2


async def test_signed_in_chat_answers_even_with_the_model_down(
    demo_settings: Settings, typed: list[str], capsys
):
    typed.extend(["hello", "quit"])
    assert await run_chat(demo_settings, DEMO_DID, "101", "4821", None) == 0
    out = capsys.readouterr()
    assert "Signed in as Alice Smith (owner)" in out.out
    assert "agent> Sorry, I'm having trouble thinking right now." in out.out
    assert "error model_unavailable" in out.out
    assert "serving the tools in-process" in out.err


def test_render_every_output():
    timings = TurnTimings(1.5, 0.4, None, 1, 1, 0.02)
    assert render(Sentence("Hi.", 0, 0.1)) == "agent> Hi."
    assert render(Filler("One moment.", 1.5)) == "agent> (One moment.)"
    assert "create_todo({'title': 'x'})" in render(
        ToolStarted("c", "create_todo", {"title": "x"}, 0.2)
    )
    assert "ok in 20 ms" in render(ToolFinished("c", "create_todo", {}, True, "Added.", 0.02))
    moved = TurnResult("Bye.", TransferAction("Sales", "402"), "Alice wants sales.", timings)
    text = render(moved)
    assert "TRANSFER to Sales (ext-queues,402,1)" in text and "Alice wants sales." in text


async def test_chat_loop_stops_at_a_transfer(agent_rig_factory):
    from agent.tools import ToolOutcome
    from tests.fixtures.agent_fakes import FakeTools
    from tests.fixtures.llm import tool_call

    action = {"type": "transfer", "department": "Support", "queue": "401"}
    tools = FakeTools(
        results={
            "transfer_to_department": ToolOutcome(
                "transfer_to_department",
                True,
                "Putting you through.",
                0.01,
                data={"action": action},
            )
        }
    )
    lines = ["hi", "get me a human", "never read"]
    written: list[str] = []

    async def read() -> str | None:
        return lines.pop(0)

    model = scripted("Hello!", tool_call("transfer_to_department", department="General"))
    async with agent_rig_factory(model, tools) as rig:
        turns = await chat_loop(rig.session, read, written.append)
        assert turns == 2 and lines == ["never read"]
        _, after = await run_turn(rig.session, "still there?")
    assert any("TRANSFER to Support" in w for w in written)
    assert after.text
