"""A real caller (baresip) through the `twilio` trunk endpoint into the Stasis app."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ari_app.app import SwitchboardApp
from ari_app.ari.rest import AriRest
from ari_app.call.base import CallStats
from switchboard.callers.audio import (
    dominant_frequency,
    pcm16_to_float,
    read_wav,
    rms,
    tone_seconds,
    write_tone_wav,
)
from switchboard.callers.baresip import BaresipCaller
from switchboard.settings import Settings
from tests.fixtures.pbx import TRUNK_CALLER_NUMBER, wait_no_leftovers

pytestmark = [pytest.mark.pbx, pytest.mark.slow]

TONE_HZ = 440.0


async def _next_call(app: SwitchboardApp, before: int, timeout_s: float = 20.0) -> CallStats:
    finished = await app.calls.wait_finished(before + 1, timeout_s)
    return finished[-1]


async def test_call_reaches_app_plays_prompt_echoes_audio_and_records_dtmf(
    running_app: SwitchboardApp,
    ari: AriRest,
    ari_settings: Settings,
    make_caller: Callable[..., BaresipCaller],
    tmp_path: Path,
) -> None:
    before = len(running_app.calls.finished)
    mic = write_tone_wav(tmp_path / "tone.wav", TONE_HZ, 12.0)
    caller = make_caller(mic)
    did = ari_settings.pbx.demo_did
    caller.start(dial=f"sip:{did}@127.0.0.1:{ari_settings.pbx.sip_port}", seconds=20)
    await asyncio.to_thread(caller.wait_established)
    await asyncio.sleep(4.0)  # the prompt plays, then the tone is echoed back
    await asyncio.to_thread(caller.send_dtmf, "1234#")
    await asyncio.sleep(1.0)
    await asyncio.to_thread(caller.hangup)
    stats = await _next_call(running_app, before)

    # The call came in through the trunk endpoint with the DID as Stasis argument.
    assert stats.args == (did,)
    assert stats.caller == TRUNK_CALLER_NUMBER
    assert stats.outcome == "completed"
    assert stats.playbacks == [ari_settings.call.greeting_sound]
    # DTMF digits arrived as events, in order.
    assert stats.dtmf == list("1234#")
    # The caller's tone reached the app over chan_websocket (slin16, 16 kHz).
    assert stats.frame_bytes == 640
    received = pcm16_to_float(bytes(stats.audio_in))
    steady = received[16000 * 2 : 16000 * 4]
    assert rms(steady) > 0.05
    assert abs(dominant_frequency(steady, 16000) - TONE_HZ) < 10
    # The app's audio reached the caller: the prompt first, then the echoed tone.
    await asyncio.to_thread(caller.wait, 10)
    heard, rate = read_wav(caller.recording())
    assert tone_seconds(heard, rate, TONE_HZ) >= 2.0
    prompt = heard[: rate // 2]
    assert rms(prompt) > 0.01 and abs(dominant_frequency(prompt, rate) - TONE_HZ) > 20
    # After hang-up, nothing is left in Asterisk.
    await wait_no_leftovers(ari)


async def test_caller_hanging_up_during_answer_leaves_nothing(
    running_app: SwitchboardApp,
    ari: AriRest,
    ari_settings: Settings,
    tmp_path: Path,
) -> None:
    from switchboard.callers.sipp import run_sipp, uac_scenario

    before = len(running_app.calls.finished)
    calls = 6
    result = await asyncio.to_thread(
        run_sipp,
        tmp_path / "sipp",
        uac_scenario(0, audio_pcap=None),  # BYE right after the ACK: mid set-up
        target=f"127.0.0.1:{ari_settings.pbx.sip_port}",
        service=ari_settings.pbx.demo_did,
        calls=calls,
        concurrent=calls,
        rate_per_s=calls,
    )
    assert result.successful + result.failed == calls, result.output[-2000:]
    finished = await running_app.calls.wait_finished(before + calls, 20.0)
    outcomes = [s.outcome for s in finished[before:]]
    assert all(o in ("abandoned", "completed", "error") for o in outcomes), outcomes
    await wait_no_leftovers(ari)
    assert running_app.calls.active == 0


def test_tone_helpers_measure_what_they_claim(tmp_path: Path) -> None:
    wav = write_tone_wav(tmp_path / "t.wav", 1000.0, 1.0)
    samples, rate = read_wav(wav)
    assert rate == 8000
    assert abs(dominant_frequency(samples, rate) - 1000.0) < 5
    assert tone_seconds(samples, rate, 1000.0) == pytest.approx(1.0)
    assert tone_seconds(samples, rate, 440.0) == 0.0
    assert rms(np.zeros(100)) == 0.0


async def test_extension_dials_assistant_number_through_from_internal(
    running_app: SwitchboardApp,
    ari: AriRest,
    ari_settings: Settings,
    make_caller: Callable[..., BaresipCaller],
    tmp_path: Path,
) -> None:
    """A registered extension (1001) dials 7000, the demo's way in from a softphone."""
    from freepbx.devpbx.secrets import read_secrets
    from switchboard.callers.baresip import CallerAccount

    if ari_settings.pbx.mode != "dev":
        pytest.skip("uses the dev PBX's test extension")
    secrets = read_secrets(ari_settings.devpbx_dir)
    assert secrets is not None
    account = CallerAccount("1001", password=secrets.endpoint_passwords["1001"])
    before = len(running_app.calls.finished)
    caller = make_caller(write_tone_wav(tmp_path / "t.wav", 600.0, 6.0), account=account)
    caller.start(dial=f"sip:7000@127.0.0.1:{ari_settings.pbx.sip_port}", seconds=10)
    await asyncio.to_thread(caller.wait_established)
    await asyncio.sleep(2.5)
    await asyncio.to_thread(caller.hangup)
    stats = await _next_call(running_app, before)
    assert stats.caller == "1001"
    assert stats.args == (ari_settings.pbx.demo_did,)
    assert stats.outcome == "completed"
    await wait_no_leftovers(ari)
