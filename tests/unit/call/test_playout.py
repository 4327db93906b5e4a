"""Playout with a fake media sink and a fake clock: pacing, pause/rewind, flush, heard text."""

from __future__ import annotations

import asyncio

from ari_app.conversation.playout import Playout
from tests.unit.call.fake_media import FakeSink

RATE = 16000


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def _ms(pcm_ms: float) -> bytes:
    return b"\x01\x00" * int(RATE * pcm_ms / 1000)


async def _tick(playout: Playout, clock: Clock, seconds: float, step: float = 0.01) -> None:
    """Run the sender while the fake clock advances ``seconds``."""

    async def fake_sleep(_: float) -> None:
        await asyncio.sleep(0)

    playout.sleep = fake_sleep
    task = asyncio.create_task(playout.run())
    end = clock.t + seconds
    while clock.t < end:
        clock.t += step
        for _ in range(3):
            await asyncio.sleep(0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_reply_is_paced_with_a_bounded_lead_and_heard_by_the_clock() -> None:
    sink, clock = FakeSink(), Clock()
    playout = Playout(sink, sample_rate=RATE, lead_ms=200, clock=clock)
    playout.new_reply()
    playout.play(_ms(1000), "one two three four five")
    await _tick(playout, clock, 0.5)
    sent_ms = sum(len(a) for a in sink.audio) / 2 / RATE * 1000
    assert sent_ms <= 500 + 200 + 60  # real time plus the lead (and a little silence)
    assert 400 <= playout.reply_played_ms() <= 520
    assert playout.active
    assert playout.heard_text().startswith("one two")


async def test_pause_flushes_and_rewinds_resume_continues_where_heard() -> None:
    sink, clock = FakeSink(), Clock()
    playout = Playout(sink, sample_rate=RATE, lead_ms=200, clock=clock)
    playout.new_reply()
    playout.play(_ms(2000), "a long sentence with many words in it for the caller")
    await _tick(playout, clock, 0.6)
    heard_before = playout.reply_played_ms()
    await playout.pause()
    assert "FLUSH_MEDIA" in sink.commands
    await _tick(playout, clock, 0.5)  # paused: silence only, the reply does not advance
    assert abs(playout.reply_played_ms() - heard_before) < 25
    await playout.resume(max_rewind_ms=0)  # no rewind: on from where it stopped
    await _tick(playout, clock, 0.5)
    assert playout.reply_played_ms() > heard_before + 300


async def test_resume_goes_back_to_the_start_of_the_sentence_that_was_cut() -> None:
    sink, clock = FakeSink(), Clock()
    playout = Playout(sink, sample_rate=RATE, lead_ms=200, clock=clock)
    playout.new_reply()
    playout.play(_ms(1000), "first sentence here")
    playout.play(_ms(2000), "second sentence with more words in it")
    await _tick(playout, clock, 1.6)  # 0.6 s into the second sentence
    await playout.pause()
    heard = playout.heard_text()
    assert heard.startswith("first sentence here second")
    await playout.resume()
    await _tick(playout, clock, 0.3)
    assert 1000 <= playout.reply_played_ms() <= 1400  # the second sentence again, from its start
    assert playout.heard_text() == heard  # what was heard once still counts
    await _tick(playout, clock, 2.0)
    assert not playout.active  # and the reply plays to its end
    assert playout.heard_text().endswith("more words in it")


async def test_flush_returns_only_what_was_heard_and_ends_the_reply() -> None:
    sink, clock = FakeSink(), Clock()
    playout = Playout(sink, sample_rate=RATE, lead_ms=200, clock=clock)
    playout.new_reply()
    playout.play(_ms(1000), "first sentence here")
    playout.play(_ms(1000), "second sentence there")
    await _tick(playout, clock, 0.7)
    heard = await playout.flush()
    assert heard.startswith("first sentence") and "second" not in heard
    assert not playout.active


async def test_idle_stream_is_kept_alive_with_silence() -> None:
    sink, clock = FakeSink(), Clock()
    playout = Playout(sink, sample_rate=RATE, clock=clock)
    await _tick(playout, clock, 0.4)
    assert sink.audio and all(set(a) == {0} for a in sink.audio)
    sent_ms = sum(len(a) for a in sink.audio) / 2 / RATE * 1000
    assert 380 <= sent_ms <= 480


class OrderedSink(FakeSink):
    """Also records audio and commands in the order they were sent."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[str] = []

    async def send_audio(self, data: bytes) -> None:
        await super().send_audio(data)
        self.log.append("silence" if set(data) == {0} else "reply")

    async def send_command(self, name: str, **params: object) -> None:
        await super().send_command(name, **params)
        self.log.append(name)


async def test_queued_keep_alive_silence_is_dropped_before_a_reply_starts() -> None:
    sink, clock = OrderedSink(), Clock()
    playout = Playout(sink, sample_rate=RATE, filler_lead_ms=60, clock=clock)
    await _tick(playout, clock, 0.2)  # idle: up to 60 ms of silence queued ahead
    assert "FLUSH_MEDIA" not in sink.log
    playout.new_reply()
    playout.play(_ms(500), "hello there")
    await _tick(playout, clock, 0.05)
    first = sink.log.index("reply")
    assert sink.log[first - 1] == "FLUSH_MEDIA"  # the silence went; the reply plays now
    assert playout.reply_played_ms() >= 30


class SlowSink(OrderedSink):
    """A sink whose writes yield to the event loop (a congested socket)."""

    async def send_audio(self, data: bytes) -> None:
        for _ in range(5):
            await asyncio.sleep(0)
        await super().send_audio(data)


async def test_a_pause_during_a_write_in_progress_lets_no_reply_audio_follow_the_flush() -> None:
    sink, clock = SlowSink(), Clock()
    playout = Playout(sink, sample_rate=RATE, lead_ms=200, clock=clock)
    playout.new_reply()
    playout.play(_ms(3000), "a long sentence for the caller to talk over")

    async def fake_sleep(_: float) -> None:
        await asyncio.sleep(0)

    playout.sleep = fake_sleep
    sender = asyncio.create_task(playout.run())
    for _ in range(40):  # let it start writing, advancing the clock
        clock.t += 0.01
        await asyncio.sleep(0)
    await playout.pause()  # lands while a write may be in flight
    heard = playout.reply_played_ms()
    for _ in range(60):
        clock.t += 0.01
        await asyncio.sleep(0)
    sender.cancel()
    await asyncio.gather(sender, return_exceptions=True)
    flush = len(sink.log) - 1 - sink.log[::-1].index("FLUSH_MEDIA")
    assert "reply" not in sink.log[flush:], sink.log[flush:]  # only silence after the flush
    assert abs(playout._ms(playout._reply_pos) - heard) <= 20  # rewound to what was heard
