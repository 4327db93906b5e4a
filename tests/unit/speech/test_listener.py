"""The per-call listener (VAD → segmenter + barge-in) with a scripted VAD."""

from __future__ import annotations

from ari_app.speech.bargein import BargeIn, BargeInCancelled, BargeInSuspected
from ari_app.speech.listener import Listener, ListenerEvent
from ari_app.speech.segmenter import SpeechEnded, SpeechStarted
from tests.unit.speech.fake_vad import FakeVad, quiet, tone


def feed_frames(listener: Listener, audio: bytes, frame: int = 640) -> list[ListenerEvent]:
    events: list[ListenerEvent] = []
    for i in range(0, len(audio), frame):
        events.extend(listener.feed(audio[i : i + frame]))
    return events


def test_utterance_while_listening() -> None:
    lis = Listener(FakeVad())
    events = feed_frames(lis, quiet(500) + tone(1000) + quiet(1000))
    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded]
    ended = events[1]
    assert isinstance(ended, SpeechEnded)
    assert abs(ended.start_ms - 512) <= 32 and lis.now_ms == 2500
    assert len(lis.for_stt(ended)) == len(ended.audio)  # already 16 kHz


def test_barge_in_while_speaking() -> None:
    lis = Listener(FakeVad())
    feed_frames(lis, quiet(320))
    lis.assistant_started()
    events = feed_frames(lis, tone(1000) + quiet(1000))
    kinds = [type(e) for e in events]
    assert kinds[:2] == [BargeInSuspected, SpeechStarted] or kinds[:2] == [
        SpeechStarted,
        BargeInSuspected,
    ]
    assert BargeIn in kinds and kinds[-1] is SpeechEnded
    assert not lis.bargein.armed


def test_backchannel_resumes() -> None:
    lis = Listener(FakeVad())
    lis.assistant_started()
    events = feed_frames(lis, tone(320) + quiet(800))
    kinds = [type(e) for e in events]
    assert BargeInSuspected in kinds and BargeInCancelled in kinds and BargeIn not in kinds
    assert lis.bargein.armed


def test_8k_stream_is_resampled_for_stt_and_flush_closes() -> None:
    lis = Listener(FakeVad(8000))
    feed_frames(lis, tone(800, 8000), frame=160)
    (ended,) = lis.flush()
    assert isinstance(ended, SpeechEnded) and ended.truncated
    assert abs(len(lis.for_stt(ended)) - 2 * len(ended.audio)) <= 4
    lis.reset()
    assert lis.now_ms == 0
