"""Hand-off to humans, natively in Asterisk: the caller asks for a person and lands in the
department's queue; a registered agent endpoint rings, answers and hears the caller."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from ari_app.app import SwitchboardApp
from ari_app.ari.rest import AriRest
from ari_app.call.base import CallStats
from switchboard.callers.audio import read_wav, tone_seconds, write_tone_wav
from switchboard.callers.baresip import BaresipCaller
from switchboard.callers.script import Pause, PlayWav, Speak, Step, render_script
from switchboard.settings import Settings
from tests.fixtures.pbx import agent_phone, wait_no_leftovers

pytestmark = [pytest.mark.pbx, pytest.mark.slow]

TONE_HZ = 700.0


async def _ask_for_a_human(
    app: SwitchboardApp,
    settings: Settings,
    make_caller: Callable[..., BaresipCaller],
    speak: Callable[[str, int], bytes],
    tmp_path: Path,
    steps: list[Step],
    *,
    calls: int = 1,
    seconds: int = 40,
) -> tuple[list[CallStats], BaresipCaller]:
    """Dial the assistant as the trunk would and play ``steps``; the ``calls`` app calls that
    finish (a caller coming back from a queue is a second call), and the caller."""
    script = render_script(steps, tmp_path / "mic.wav", speak)
    before = len(app.calls.finished)
    caller = make_caller(script.wav)
    caller.start(
        dial=f"sip:{settings.pbx.demo_did}@127.0.0.1:{settings.pbx.sip_port}", seconds=seconds
    )
    await asyncio.to_thread(caller.wait_established)
    finished = await app.calls.wait_finished(before + calls, 40)
    return finished[-calls:], caller


SUPPORT: list[Step] = [Pause(4.5), Speak("I need to speak to a human in support."), Pause(20.0)]


async def test_asking_for_a_human_in_sales_rings_a_sales_agent_who_hears_the_caller(
    voice_app: SwitchboardApp,
    ari: AriRest,
    ari_settings: Settings,
    make_caller: Callable[..., BaresipCaller],
    speak: Callable[[str, int], bytes],
    tmp_path: Path,
) -> None:
    agent = await agent_phone(ari_settings, tmp_path, "2101", sip_trace=True)
    try:
        tone = write_tone_wav(tmp_path / "tone.wav", TONE_HZ, 8.0)
        steps: list[Step] = [
            Pause(4.5),
            Speak("I need to speak to a human in sales."),
            Pause(1.0),
            PlayWav(tone),
        ]
        [stats], caller = await _ask_for_a_human(
            voice_app, ari_settings, make_caller, speak, tmp_path, steps
        )
        assert stats.outcome == "transferred", stats.turns
        assert stats.states == ["answering", "conversing", "transferring", "ended"]
        await asyncio.to_thread(agent.wait_incoming_established, 20)
        # The agent leg carries the hand-off variables and the screen-pop header.
        agent_channel = next(
            c for c in await ari.list_channels() if c.name.startswith("PJSIP/2101")
        )
        assert await ari.get_channel_var(agent_channel.id, "SWITCHBOARD_CALL_ID") == (
            stats.channel_id
        )
        summary = await ari.get_channel_var(agent_channel.id, "SWITCHBOARD_SUMMARY")
        assert "sales" in summary.lower()
        assert f"X-Switchboard-Call-Id: {stats.channel_id}" in agent.log_text()
        await asyncio.sleep(5.0)  # the caller's tone flows to the agent
        await asyncio.to_thread(caller.hangup)
        await asyncio.sleep(1.0)
    finally:
        await asyncio.to_thread(agent.stop)
    heard, rate = read_wav(agent.recording())
    assert tone_seconds(heard, rate, TONE_HZ) >= 2.0
    await wait_no_leftovers(ari)


async def test_hanging_up_while_waiting_in_the_queue_leaves_nothing(
    voice_app: SwitchboardApp,
    ari: AriRest,
    ari_settings: Settings,
    make_caller: Callable[..., BaresipCaller],
    speak: Callable[[str, int], bytes],
    tmp_path: Path,
) -> None:
    # registered, so the queue has someone, but never answering
    agent = await agent_phone(ari_settings, tmp_path, "2102", auto_answer=False)
    try:
        [stats], caller = await _ask_for_a_human(
            voice_app, ari_settings, make_caller, speak, tmp_path, SUPPORT
        )
        assert stats.outcome == "transferred"
        await asyncio.sleep(2.0)  # in queue 401, the agent's phone ringing
        assert any(c.id == stats.channel_id for c in await ari.list_channels())
        await asyncio.to_thread(caller.hangup)
        await wait_no_leftovers(ari)
    finally:
        await asyncio.to_thread(agent.stop)


async def test_nobody_to_answer_is_told_so_and_without_sign_in_the_call_ends(
    voice_app: SwitchboardApp,
    ari: AriRest,
    ari_settings: Settings,
    make_caller: Callable[..., BaresipCaller],
    speak: Callable[[str, int], bytes],
    tmp_path: Path,
) -> None:
    [stats], caller = await _ask_for_a_human(
        voice_app, ari_settings, make_caller, speak, tmp_path, SUPPORT
    )
    await asyncio.to_thread(caller.stop)
    said = " ".join(str(t["said_text"]) for t in stats.turns)
    assert "nobody in support can take your call" in said, stats.turns
    assert "Connecting you" not in said
    assert stats.outcome == "completed"
    assert stats.states == ["answering", "conversing", "ended"]
    await wait_no_leftovers(ari)


async def test_nobody_answering_in_the_queue_brings_the_caller_back_to_be_told(
    voice_app: SwitchboardApp,
    ari: AriRest,
    ari_settings: Settings,
    make_caller: Callable[..., BaresipCaller],
    speak: Callable[[str, int], bytes],
    tmp_path: Path,
) -> None:
    from ari_app.call.assistant import Assistant

    agent = await agent_phone(ari_settings, tmp_path, "2102", auto_answer=False)
    standin = voice_app.assistant
    call = ari_settings.call.model_copy(update={"queue_wait_s": 6})
    voice_app.assistant = Assistant(ari_settings.model_copy(update={"call": call}))
    try:
        steps = [*SUPPORT[:2], Pause(30.0)]
        [transferred, back], caller = await _ask_for_a_human(
            voice_app, ari_settings, make_caller, speak, tmp_path, steps, calls=2, seconds=45
        )
        await asyncio.to_thread(caller.stop)
    finally:
        voice_app.assistant = standin
        await asyncio.to_thread(agent.stop)
    assert transferred.outcome == "transferred"
    assert back.channel_id == transferred.channel_id and back.args == ("TIMEOUT",)
    assert back.states == ["answering", "conversing", "ended"]
    said = " ".join(str(t["said_text"]) for t in back.turns)
    assert "nobody in support could take your call" in said.lower(), back.turns
    assert "try again later" in said
    await wait_no_leftovers(ari)
