"""The sign-in race, end to end: a caller keys their PIN and goes straight on talking while
the assistant is still opening (opening is slowed down here, as a busy data side would). The
words are not joined to the PIN turn, the PIN is nowhere in the record, the call is not hung
up, and the words reach the assistant once it is open. Real Asterisk, a baresip caller, real
sign-in and speech; the stand-in agent behind the gate."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ari_app.app import SwitchboardApp
from ari_app.ari.rest import AriRest
from ari_app.conversation.standin_agent import StandInAgent
from switchboard.callers.baresip import BaresipCaller, CallerAccount
from switchboard.callers.script import Pause, Speak, render_script
from switchboard.settings import Settings
from tests.fixtures.assistant import call_record
from tests.fixtures.pbx import wait_no_leftovers
from tests.security.signin_stack import signin_app

pytestmark = [pytest.mark.pbx, pytest.mark.slow]
__all__ = ["signin_app"]

ALICE_PHONE, ALICE_PIN = "+15550111", "4821"
OPENING_S = 7.0


async def test_words_said_while_the_assistant_opens_are_not_joined_to_the_pin(
    signin_app: tuple[SwitchboardApp, Settings],
    make_caller: Callable[..., BaresipCaller],
    speak: Callable[[str, int], bytes],
    ari: AriRest,
    tmp_path: Path,
) -> None:
    app, settings = signin_app
    agents: list[StandInAgent] = []
    window: list[float] = []

    async def slow_open(*args: Any) -> StandInAgent:
        window.append(time.monotonic())
        await asyncio.sleep(OPENING_S)  # the data side is slow to open the session
        window.append(time.monotonic())
        agents.append(StandInAgent(0.1))
        return agents[-1]

    app.assistant._open_agent = slow_open  # type: ignore[method-assign]
    script = render_script(
        [Pause(7.0), Speak("Add milk to my shopping list please."), Pause(14.0)],
        tmp_path / "mic.wav",
        speak,
    )
    caller = make_caller(script.wav, account=CallerAccount(ALICE_PHONE, address="127.0.0.2"))
    before = len(app.calls.finished)
    caller.start(dial=f"sip:{settings.pbx.demo_did}@127.0.0.1:{settings.pbx.sip_port}", seconds=30)
    try:
        await asyncio.to_thread(caller.wait_established)
        await asyncio.sleep(5.0)  # "Welcome to Acme Demo. Please key or say your PIN."
        await asyncio.to_thread(caller.send_dtmf, ALICE_PIN + "#", 0.15)
        stats = (await app.calls.wait_finished(before + 1, 60))[-1]
    finally:
        await asyncio.to_thread(caller.stop)
    said = " ".join(str(t.get("said_text", "")) for t in stats.turns)
    assert "signed in" in said, stats.turns
    assert "not set up" not in said and "Goodbye" not in said, stats.turns  # not hung up on
    assert agents and agents[0].history, stats.turns
    heard_by_agent = agents[0].history[0][0].lower()
    assert "milk" in heard_by_agent and ALICE_PIN not in heard_by_agent  # nothing joined
    assert "conversing" in stats.states
    spoken_while_opening = [
        t
        for t in stats.turns
        for stage, at in t["stage_times"]
        if stage == "stt_end" and window[0] < at < window[1]
    ]
    assert spoken_while_opening, (window, stats.turns)  # the race window was really hit
    assert all(t["caller_text"] == "[withheld]" for t in spoken_while_opening)
    record = await call_record(settings, stats.channel_id)
    texts = " ".join(t.text for t in record.turns).lower()
    assert ALICE_PIN not in texts and "four eight two one" not in texts, texts
    await wait_no_leftovers(ari)
