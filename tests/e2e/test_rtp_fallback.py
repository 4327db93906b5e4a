"""The RTP media fallback (μ-law externalMedia), for Asterisk builds without chan_websocket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from ari_app.app import SwitchboardApp
from ari_app.ari.rest import AriRest
from switchboard.callers.audio import (
    dominant_frequency,
    pcm16_to_float,
    read_wav,
    rms,
    tone_seconds,
    write_tone_wav,
)
from switchboard.callers.baresip import BaresipCaller
from switchboard.callers.script import Pause, Speak, Step
from switchboard.settings import Settings
from tests.fixtures.pbx import scripted_call, wait_no_leftovers

pytestmark = [pytest.mark.pbx, pytest.mark.slow]


@pytest.fixture
async def rtp_media(session_app: SwitchboardApp) -> AsyncIterator[SwitchboardApp]:
    """New calls use RTP media while the test runs."""
    before = session_app.env.media.transport
    session_app.env.media.transport = "rtp"
    yield session_app
    session_app.env.media.transport = before


async def test_echo_over_rtp(
    rtp_media: SwitchboardApp,
    running_app: SwitchboardApp,
    ari: AriRest,
    ari_settings: Settings,
    make_caller: Callable[..., BaresipCaller],
    tmp_path: Path,
) -> None:
    before = len(running_app.calls.finished)
    caller = make_caller(write_tone_wav(tmp_path / "tone.wav", 440.0, 10.0))
    caller.start(
        dial=f"sip:{ari_settings.pbx.demo_did}@127.0.0.1:{ari_settings.pbx.sip_port}", seconds=20
    )
    await asyncio.to_thread(caller.wait_established)
    await asyncio.sleep(5.0)
    await asyncio.to_thread(caller.hangup)
    stats = (await running_app.calls.wait_finished(before + 1, 20))[-1]
    assert stats.outcome == "completed"
    received = pcm16_to_float(bytes(stats.audio_in))[16000 * 2 : 16000 * 4]
    assert rms(received) > 0.05
    assert abs(dominant_frequency(received, 16000) - 440.0) < 10
    heard, rate = read_wav(caller.recording())
    assert tone_seconds(heard, rate, 440.0) >= 1.5
    await wait_no_leftovers(ari)


async def test_voice_turn_over_rtp(
    rtp_media: SwitchboardApp,
    voice_app: SwitchboardApp,
    ari: AriRest,
    ari_settings: Settings,
    make_caller: Callable[..., BaresipCaller],
    speak: Callable[[str, int], bytes],
    tmp_path: Path,
) -> None:
    steps: list[Step] = [Pause(4.5), Speak("Please add bread to my list."), Pause(6.0)]
    stats, _, _ = await scripted_call(voice_app, ari_settings, make_caller, speak, tmp_path, steps)
    answer = stats.turns[1]
    assert "bread" in str(answer["caller_text"]).lower(), stats.turns
    assert "tts_first_audio" in answer["stages"] and "playout_end" in answer["stages"]
    await wait_no_leftovers(ari)
