"""The whole hand-off: a caller signs in to the assistant (keypad), asks for a human, and the
agent's console rings with the screen-pop of that very call (bundled model, real tools)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from ari_app.app import SwitchboardApp
from ari_app.ari.rest import AriRest
from switchboard.callers.baresip import BaresipCaller
from switchboard.callers.script import Pause, Speak, Step, render_script
from switchboard.settings import Settings
from tests.browser.calls import call_state
from tests.browser.fixtures import AGENT_B, ConsoleServer, sign_in_agent
from tests.fixtures.assistant import agent_warmed_up
from tests.fixtures.llm import LocalLlm
from tests.fixtures.pbx import wait_no_leftovers
from tests.fixtures.postgres import free_port

pytestmark = [pytest.mark.pbx, pytest.mark.slow]

CALLER_NUMBER, CALLER_PIN = "101", "4821"  # Alice Smith in the demo tenant


@pytest.fixture
async def assistant_on_console_db(
    voice_app: SwitchboardApp,
    ari_settings: Settings,
    console_server: ConsoleServer,
    local_llm: LocalLlm,
    tmp_path: Path,
) -> AsyncIterator[tuple[SwitchboardApp, Settings]]:
    """The app answering with sign-in and the bundled model, recording calls in the very
    database the console reads."""
    url = console_server.db.url
    settings = ari_settings.model_copy(
        update={
            "database": ari_settings.database.model_copy(update={"url": SecretStr(url)}),
            "tools": ari_settings.tools.model_copy(
                update={"port": free_port(), "bcrypt_rounds": 4}
            ),
            "agent": ari_settings.agent.model_copy(
                update={
                    "provider": "local",
                    "base_url": local_llm.base_url,
                    "turn_budget_s": 60.0,
                    "tool_budget_s": 20.0,
                    "checkpoint_url": f"sqlite:///{tmp_path / 'agent.db'}",
                }
            ),
        }
    )
    await voice_app.use_assistant(settings)
    await agent_warmed_up(voice_app)
    try:
        yield voice_app, settings
    finally:
        await voice_app.use_standin()


async def test_caller_asks_the_assistant_for_a_human_and_the_console_pops_the_call(
    assistant_on_console_db: tuple[SwitchboardApp, Settings],
    open_page: Callable[[], Awaitable[Any]],
    make_caller: Callable[..., BaresipCaller],
    speak: Callable[[str, int], bytes],
    ari: AriRest,
    tmp_path: Path,
    images_dir: Path,
) -> None:
    app, settings = assistant_on_console_db
    page = await sign_in_agent(open_page, AGENT_B)  # Maria works in Support: she sees its pops
    steps: list[Step] = [
        Pause(16.0),
        Speak("I need to talk to a human in support, please."),
        Pause(200.0),
    ]
    script = render_script(steps, tmp_path / "mic.wav", speak)
    before = len(app.calls.finished)
    caller = make_caller(script.wav)
    caller.start(dial=f"sip:{settings.pbx.demo_did}@127.0.0.1:{settings.pbx.sip_port}", seconds=220)
    try:
        await asyncio.to_thread(caller.wait_established)
        await asyncio.sleep(5.0)
        await asyncio.to_thread(caller.send_dtmf, CALLER_NUMBER + "#", 0.15)
        await asyncio.sleep(4.0)
        await asyncio.to_thread(caller.send_dtmf, CALLER_PIN + "#", 0.15)
        # The bundled model on two busy cores can take a while to choose the transfer.
        await call_state(page, "ringing", timeout_s=180)
        stats = (await app.calls.wait_finished(before + 1, 30))[-1]
        assert stats.outcome == "transferred", stats.turns
        await page.wait_for_selector("#pop-summary")
        assert await page.locator("#screen-pop").get_attribute("data-call-id") == (stats.channel_id)
        assert await page.locator("#pop-name").inner_text() == "Alice Smith"
        assert (await page.locator("#pop-summary").inner_text()).strip() not in ("", "(no summary)")
        transcript = (await page.locator("#pop-transcript").inner_text()).lower()
        assert "human" in transcript or "support" in transcript
        assert CALLER_PIN not in transcript
        await page.screenshot(path=str(images_dir / "console-assistant-handoff.png"))
        await page.click("#answer")
        await call_state(page, "active")
        await asyncio.sleep(2.0)
        await page.click("#hangup")
        await call_state(page, "ended")
    finally:
        await asyncio.to_thread(caller.stop)
    await wait_no_leftovers(ari)
