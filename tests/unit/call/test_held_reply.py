"""The paused answer's one deadline: armed, re-armed, kept, fired (a fake sink, real timers)."""

from __future__ import annotations

import asyncio

from ari_app.conversation.held_reply import HeldReply, HoldTimes
from ari_app.conversation.playout import Playout
from tests.unit.call.fake_media import FakeSink

TIMES = HoldTimes(quiet_s=0.02, words_s=0.2, hold_s=0.1)


def _held() -> tuple[HeldReply, Playout, FakeSink]:
    sink = FakeSink()
    playout = Playout(sink, sample_rate=16000)
    playout.new_reply()
    playout.play(b"\x01\x00" * 16000, "one second of answer")
    return HeldReply(playout, TIMES), playout, sink


async def test_a_pause_resumes_when_its_deadline_fires() -> None:
    held, playout, sink = _held()
    assert await held.pause() and playout.paused and "FLUSH_MEDIA" in sink.commands
    assert not await held.pause()  # already paused: nothing changes
    held.resume_after(TIMES.quiet_s)
    await asyncio.sleep(0.1)
    assert not playout.paused


async def test_speech_keeps_the_pause_and_a_later_deadline_replaces_an_earlier_one() -> None:
    held, playout, _ = _held()
    await held.pause()
    held.resume_after(TIMES.quiet_s)
    held.keep()  # the caller speaks again
    await asyncio.sleep(0.06)
    assert playout.paused
    held.resume_after(TIMES.hold_s)  # "stop.": wait for the request
    await asyncio.sleep(0.05)
    assert playout.paused
    await asyncio.sleep(0.1)
    assert not playout.paused


async def test_long_speech_is_remembered_until_the_next_pause_or_resume() -> None:
    held, _, _ = _held()
    await held.pause()
    held.long_speech = True
    await held.resume()
    assert not held.long_speech
    await held.pause()
    held.long_speech = True
    held.close()
    await held.pause()  # still paused: the flag stays for the words to come
    assert held.long_speech
