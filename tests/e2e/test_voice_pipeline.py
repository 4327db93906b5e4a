"""The voice pipeline end to end: a baresip caller speaks, the assistant answers out loud.

The caller's microphone is a scripted WAV (Piper speech, pauses, noise); what the caller
heard is recorded by baresip and transcribed back with the app's own Whisper.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from ari_app.app import SwitchboardApp
from ari_app.ari.rest import AriRest
from ari_app.conversation.standin_agent import LONG_STORY
from ari_app.media.codec import resample
from switchboard.callers.analysis import (
    active_segments,
    reply_latencies,
    shifted,
    stop_reaction,
)
from switchboard.callers.audio import read_wav
from switchboard.callers.baresip import BaresipCaller
from switchboard.callers.script import Cough, Hesitant, Noise, Pause, Speak, Step
from switchboard.settings import Settings
from tests.fixtures.pbx import scripted_call, wait_no_leftovers

pytestmark = [pytest.mark.pbx, pytest.mark.slow]


def _heard_text(whisper_stt, caller: BaresipCaller, start_s: float, end_s: float) -> str:  # type: ignore[no-untyped-def]
    samples, rate = read_wav(caller.recording())
    clip = samples[int(start_s * rate) : int(end_s * rate)]
    pcm = (clip * 32767).astype("<i2").tobytes()
    return str(whisper_stt.transcribe_sync(resample(pcm, rate, 16000)).text).lower()


async def test_spoken_request_is_transcribed_and_answered_out_loud(
    voice_app: SwitchboardApp,
    ari: AriRest,
    ari_settings: Settings,
    make_caller: Callable[..., BaresipCaller],
    speak: Callable[[str, int], bytes],
    whisper_stt,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    steps: list[Step] = [Pause(4.5), Speak("Please add buy milk to my shopping list."), Pause(6.0)]
    stats, script, caller = await scripted_call(
        voice_app, ari_settings, make_caller, speak, tmp_path, steps
    )

    assert stats.outcome == "completed"
    assert len(stats.turns) == 2, stats.turns  # the greeting, then one answer
    greeting, answer = stats.turns
    assert "switchboard" in str(greeting["said_text"]).lower()
    assert "milk" in str(answer["caller_text"]).lower()
    assert str(answer["said_text"]).lower().startswith("you said")
    for stage in ("speech_end", "stt_end", "agent_first_sentence", "tts_first_audio"):
        assert stage in answer["stages"]

    # At the caller's ear: the greeting, then the answer after the request.
    heard = shifted(active_segments(*read_wav(caller.recording())), caller.recording_offset_s())
    request = script.utterances[0][1]
    latency = reply_latencies([request], heard)[0]
    assert latency is not None and latency < 3.0, (heard, request)
    offset = caller.recording_offset_s()
    reply_text = _heard_text(whisper_stt, caller, request.end - offset, request.end - offset + 6)
    assert "milk" in reply_text and "you said" in reply_text, reply_text
    await wait_no_leftovers(ari)


async def test_barge_in_stops_a_long_answer_and_the_next_answer_follows_the_caller(
    voice_app: SwitchboardApp,
    ari: AriRest,
    ari_settings: Settings,
    make_caller: Callable[..., BaresipCaller],
    speak: Callable[[str, int], bytes],
    whisper_stt,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    steps: list[Step] = [
        Pause(4.5),
        Speak("Tell me a long story."),
        Pause(5.0),
        Speak("Stop please. What time is it?"),
        Pause(6.0),
    ]
    stats, script, caller = await scripted_call(
        voice_app, ari_settings, make_caller, speak, tmp_path, steps
    )

    story = stats.turns[1]
    # "Stop please." holds the answer (its own turn, no reply); the question cuts it
    interruption = next(t for t in stats.turns[2:] if "time" in str(t["caller_text"]).lower())
    assert "long story" in str(story["caller_text"]).lower()
    assert "barge_in" in story["stages"], (
        " ".join(map(str, story["stages"])) + " || " + " ".join(map(str, interruption["stages"]))
    )
    assert 0 < len(str(story["heard_text"])) < len(LONG_STORY) / 2, story["heard_text"]
    assert "time" in str(interruption["caller_text"]).lower()
    assert "time" in str(interruption["said_text"]).lower()

    heard = shifted(active_segments(*read_wav(caller.recording())), caller.recording_offset_s())
    interrupt_at = script.utterances[1][1].start
    reaction = stop_reaction(heard, interrupt_at)
    assert reaction is not None and reaction < 1.0, (heard, interrupt_at)
    await wait_no_leftovers(ari)


async def test_a_backchannel_a_cough_noise_and_a_lone_stop_do_not_cut_the_assistant_off(
    voice_app: SwitchboardApp,
    ari: AriRest,
    ari_settings: Settings,
    make_caller: Callable[..., BaresipCaller],
    speak: Callable[[str, int], bytes],
    tmp_path: Path,
) -> None:
    steps: list[Step] = [
        Pause(4.5),
        Speak("Tell me a long story."),
        Pause(4.0),
        Speak("Okay."),  # while the story plays: may pause it, must not end it
        Pause(3.0),
        Cough(),
        Pause(3.0),
        Noise(3.0),
        Pause(2.0),
        Speak("Stop."),  # no request follows: the story waits a while, then goes on
        Pause(30.0),  # the story (23 s of speech, some repeated) finishes before hang-up
    ]
    stats, _, _ = await scripted_call(voice_app, ari_settings, make_caller, speak, tmp_path, steps)

    story = stats.turns[1]
    assert "long story" in str(story["caller_text"]).lower()
    assert "barge_in" not in story["stages"], story["stages"]
    assert "playout_end" in story["stages"], story["stages"]
    assert story["heard_text"] == story["said_text"] == LONG_STORY, story["heard_text"]
    later = stats.turns[2:]
    assert all("tts_first_audio" not in t["stages"] for t in later), later  # no reply to it
    await wait_no_leftovers(ari)


async def test_a_request_said_with_hesitations_is_answered_once_and_whole(
    voice_app: SwitchboardApp,
    ari: AriRest,
    ari_settings: Settings,
    make_caller: Callable[..., BaresipCaller],
    speak: Callable[[str, int], bytes],
    tmp_path: Path,
) -> None:
    request = Hesitant(("I need to add,", 0.7, "um,", 0.6, "milk to my shopping list."))
    steps: list[Step] = [Pause(4.5), request, Pause(6.0)]
    stats, script, caller = await scripted_call(
        voice_app, ari_settings, make_caller, speak, tmp_path, steps
    )

    answered = [t for t in stats.turns[1:] if "agent_first_sentence" in t["stages"]]
    heard = [a for a in answered if "playout_end" in a["stages"]]
    assert len(heard) == 1, stats.turns  # one answer played, to the whole request
    said = str(heard[0]["said_text"]).lower()
    assert "need" in said and "milk" in said, said
    # At the caller's ear: nothing of an answer before the caller was done.
    segment = script.utterances[0][1]
    replies = shifted(active_segments(*read_wav(caller.recording())), caller.recording_offset_s())
    assert not [r for r in replies if segment.start + 0.5 < r.start < segment.end], replies
    await wait_no_leftovers(ari)


async def test_silence_and_line_noise_produce_no_turn(
    voice_app: SwitchboardApp,
    ari: AriRest,
    ari_settings: Settings,
    make_caller: Callable[..., BaresipCaller],
    speak: Callable[[str, int], bytes],
    tmp_path: Path,
) -> None:
    steps: list[Step] = [Pause(4.0), Noise(5.0), Pause(2.0)]
    stats, _, _ = await scripted_call(voice_app, ari_settings, make_caller, speak, tmp_path, steps)
    assert [t["turn"] for t in stats.turns] == [0], stats.turns  # only the greeting
    await wait_no_leftovers(ari)


async def test_hanging_up_mid_answer_leaves_nothing_running(
    voice_app: SwitchboardApp,
    ari: AriRest,
    ari_settings: Settings,
    make_caller: Callable[..., BaresipCaller],
    speak: Callable[[str, int], bytes],
    tmp_path: Path,
) -> None:
    steps: list[Step] = [Pause(4.5), Speak("Tell me a long story."), Pause(20.0)]
    stats, _, _ = await scripted_call(
        voice_app, ari_settings, make_caller, speak, tmp_path, steps, hangup_after_s=9.0
    )
    assert stats.outcome == "completed"
    assert "tts_first_audio" in stats.turns[1]["stages"]
    assert "playout_end" not in stats.turns[1]["stages"]  # cut off by the hang-up
    await wait_no_leftovers(ari)
    assert voice_app.calls.active == 0
    lingering = [t for t in asyncio.all_tasks() if "Conversation" in repr(t.get_coro())]
    assert not lingering, lingering


async def test_switchboard_call_prints_what_the_assistant_said_with_timings(
    voice_app: SwitchboardApp, ari: AriRest, ari_settings: Settings
) -> None:
    import json
    import sys

    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "switchboard",
        "call",
        "--say",
        "Please add eggs to my list.",
        "--json",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode()[-2000:]
    report = json.loads(out)
    heard = " ".join(h["text"] for h in report["heard"]).lower()
    assert "switchboard" in heard  # the greeting
    assert "eggs" in heard and "you said" in heard, report
    assert report["reply_latency_ms"][0] is not None and report["reply_latency_ms"][0] > 0
    assert [i["who"] for i in report["timeline"]].count("caller") == 1
    await wait_no_leftovers(ari)
