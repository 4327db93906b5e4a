"""Endpointing: scripted VAD probabilities in, speech events out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ari_app.speech.ports import VadWindow
from ari_app.speech.segmenter import (
    Segmenter,
    SegmenterConfig,
    SpeechEnded,
    SpeechPaused,
    SpeechResumed,
    SpeechStarted,
)

W = 32.0  # ms per window, as Silero at 8 and 16 kHz


def windows(probs: list[float], start: int = 0) -> list[VadWindow]:
    """One window per probability; the audio is the window index as two bytes."""
    return [
        VadWindow(p, (start + i) * W, W, (start + i).to_bytes(2, "little"))
        for i, p in enumerate(probs)
    ]


def run(probs: list[float], cfg: SegmenterConfig | None = None) -> list[object]:
    seg = Segmenter(cfg or SegmenterConfig())
    return list(seg.feed_all(windows(probs)))


def test_silence_gives_no_event() -> None:
    assert run([0.0, 0.1, 0.2] * 50) == []


def test_one_utterance() -> None:
    cfg = SegmenterConfig(min_speech_ms=96, end_silence_ms=320, pre_roll_ms=64, post_roll_ms=64)
    probs = [0.0] * 10 + [0.9] * 20 + [0.0] * 15
    events = run(probs, cfg)
    assert len(events) == 2
    started, ended = events
    assert started == SpeechStarted(start_ms=10 * W, detected_ms=13 * W)
    assert isinstance(ended, SpeechEnded)
    assert ended.start_ms == 10 * W and ended.end_ms == 30 * W
    assert ended.detected_ms == 40 * W  # 10 silent windows = 320 ms after speech
    indices = [int.from_bytes(ended.audio[i : i + 2], "little") for i in range(0, 64, 2)]
    # 2 windows of pre-roll, 20 of speech, 2 of post-roll
    assert indices[:24] == list(range(8, 32))
    assert len(ended.audio) == 24 * 2
    assert not ended.truncated
    assert ended.speech_ms == 20 * W


def test_a_click_is_not_speech() -> None:
    cfg = SegmenterConfig(min_speech_ms=150, onset_max_gap_ms=64)
    assert run([0.0] * 5 + [0.95, 0.9] + [0.0] * 30, cfg) == []


def test_hysteresis_keeps_speech_going_between_thresholds() -> None:
    cfg = SegmenterConfig(threshold=0.5, neg_threshold=0.3, end_silence_ms=200)
    probs = [0.9] * 10 + [0.4] * 30 + [0.0] * 10
    events = run(probs, cfg)
    ended = [e for e in events if isinstance(e, SpeechEnded)]
    assert len(ended) == 1 and ended[0].end_ms == 40 * W


def test_short_pause_does_not_end_the_utterance() -> None:
    cfg = SegmenterConfig(end_silence_ms=600)
    probs = [0.9] * 20 + [0.0] * 10 + [0.9] * 20 + [0.0] * 20
    events = run(probs, cfg)
    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded]


def test_two_utterances() -> None:
    cfg = SegmenterConfig(end_silence_ms=300)
    probs = ([0.9] * 20 + [0.0] * 15) * 2
    events = run(probs, cfg)
    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded] * 2


def test_max_speech_truncates() -> None:
    cfg = SegmenterConfig(max_speech_ms=640)
    events = run([0.9] * 30, cfg)
    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded, SpeechStarted]
    ended = events[1]
    assert isinstance(ended, SpeechEnded) and ended.truncated


def test_flush_closes_an_open_utterance() -> None:
    seg = Segmenter()
    seg.feed_all(windows([0.9] * 20))
    assert seg.in_speech
    (ended,) = seg.flush()
    assert isinstance(ended, SpeechEnded) and ended.truncated
    assert not seg.in_speech
    assert seg.flush() == []


def test_config_validation() -> None:
    with pytest.raises(ValueError):
        SegmenterConfig(threshold=0.3, neg_threshold=0.5)
    with pytest.raises(ValueError):
        SegmenterConfig(post_roll_ms=900, end_silence_ms=600)


@given(st.lists(st.floats(0.0, 1.0), max_size=300))
def test_events_alternate_and_are_ordered(probs: list[float]) -> None:
    seg = Segmenter()
    events = seg.feed_all(windows(probs)) + seg.flush()
    kinds = [type(e) for e in events]
    assert kinds == [SpeechStarted, SpeechEnded] * (len(kinds) // 2)
    for e in events:
        if isinstance(e, SpeechEnded):
            assert e.start_ms <= e.end_ms <= e.detected_ms
            assert len(e.audio) % 2 == 0


def test_speech_paused_carries_the_audio_speech_ended_will_carry() -> None:
    from ari_app.speech.ports import VadWindow
    from ari_app.speech.segmenter import Segmenter, SegmenterConfig, SpeechEnded, SpeechPaused

    seg = Segmenter(SegmenterConfig(tentative_silence_ms=200.0, end_silence_ms=600.0))
    windows = [
        VadWindow(0.9 if 10 <= i < 30 else 0.05, i * 32.0, 32.0, bytes([i % 256]) * 4)
        for i in range(60)
    ]
    events = seg.feed_all(windows)
    paused = [e for e in events if isinstance(e, SpeechPaused)]
    ended = [e for e in events if isinstance(e, SpeechEnded)]
    assert len(paused) == 1 and len(ended) == 1
    assert (paused[0].start_ms, paused[0].end_ms) == (ended[0].start_ms, ended[0].end_ms)
    assert paused[0].audio == ended[0].audio
    assert paused[0].detected_ms < ended[0].detected_ms


def test_a_pause_then_more_speech_gives_a_different_utterance() -> None:
    from ari_app.speech.ports import VadWindow
    from ari_app.speech.segmenter import Segmenter, SegmenterConfig, SpeechEnded, SpeechPaused

    seg = Segmenter(SegmenterConfig(tentative_silence_ms=200.0, end_silence_ms=600.0))
    speech = set(range(10, 30)) | set(range(40, 55))  # a 320 ms pause in the middle
    windows = [VadWindow(0.9 if i in speech else 0.05, i * 32.0, 32.0) for i in range(90)]
    events = seg.feed_all(windows)
    paused = [e for e in events if isinstance(e, SpeechPaused)]
    ended = [e for e in events if isinstance(e, SpeechEnded)]
    assert len(paused) == 2 and len(ended) == 1
    assert paused[0].end_ms < ended[0].end_ms == paused[1].end_ms


def _paused_segmenter() -> tuple[Segmenter, list[object]]:
    cfg = SegmenterConfig(
        min_speech_ms=96, end_silence_ms=2000, post_roll_ms=64, tentative_silence_ms=192
    )
    seg = Segmenter(cfg)
    events = seg.feed_all(windows([0.0] * 5 + [0.9] * 20 + [0.0] * 7))
    return seg, events


def test_end_turn_ends_the_utterance_at_its_pause() -> None:
    seg, events = _paused_segmenter()
    paused = events[-1]
    assert isinstance(paused, SpeechPaused)
    ended = seg.end_turn(paused.start_ms, paused.end_ms, now_ms=40 * W)
    assert isinstance(ended, SpeechEnded) and not ended.truncated
    assert (ended.start_ms, ended.end_ms, ended.detected_ms) == (5 * W, 25 * W, 40 * W)
    assert ended.audio == paused.audio  # the speculative transcript fits it
    assert not seg.in_speech
    assert seg.end_turn(paused.start_ms, paused.end_ms, now_ms=41 * W) is None


def test_speech_after_a_pause_resumes_it_and_end_turn_then_refuses() -> None:
    seg, events = _paused_segmenter()
    paused = events[-1]
    assert isinstance(paused, SpeechPaused)
    more = seg.feed_all(windows([0.9] * 3, start=32))
    assert more == [SpeechResumed(start_ms=5 * W, detected_ms=33 * W)]
    assert seg.end_turn(paused.start_ms, paused.end_ms, now_ms=36 * W) is None
    assert seg.in_speech


def test_end_turn_needs_a_pause() -> None:
    seg = Segmenter(SegmenterConfig(min_speech_ms=96, tentative_silence_ms=192))
    seg.feed_all(windows([0.9] * 10))
    assert seg.end_turn(0.0, 10 * W, now_ms=11 * W) is None
