"""Caller-side measurement: where speech really is in a clip, reply latency, stop reaction."""

from __future__ import annotations

import numpy as np

from switchboard.callers.analysis import Segment, reply_latencies, speech_within, stop_reaction

RATE = 8000


def _clip(*parts: tuple[float, float]) -> np.ndarray:
    """Concatenated (seconds, amplitude) stretches of a 300 Hz tone (amplitude 0: silence)."""
    chunks = []
    for seconds, amplitude in parts:
        t = np.arange(int(seconds * RATE)) / RATE
        chunks.append(amplitude * np.sin(2 * np.pi * 300 * t))
    return np.concatenate(chunks)


def test_speech_within_trims_the_quiet_edges_of_an_utterance() -> None:
    samples = _clip((1.0, 0.0), (0.06, 0.0), (1.5, 0.3), (0.3, 0.001), (1.0, 0.0))
    clip = Segment(1.0, 1.0 + 0.06 + 1.5 + 0.3)  # the synthesised clip, quiet tail included
    spoken = speech_within(samples, RATE, clip)
    assert abs(spoken.start - 1.06) <= 0.02
    assert abs(spoken.end - 2.56) <= 0.02


def test_speech_within_returns_the_clip_when_it_is_all_quiet() -> None:
    samples = _clip((2.0, 0.0))
    assert speech_within(samples, RATE, Segment(0.5, 1.5)) == Segment(0.5, 1.5)


def test_latency_counts_from_the_end_of_speech_not_of_the_clip() -> None:
    said = [Segment(1.0, 2.5)]
    heard = [Segment(3.6, 5.0)]
    assert reply_latencies(said, heard) == [1.1]
    assert reply_latencies([Segment(1.0, 2.8)], heard) == [0.8]  # the clip's tail hides 0.3 s


def test_stop_reaction_is_from_interruption_start_to_the_end_of_playing_audio() -> None:
    heard = [Segment(0.0, 4.3), Segment(6.0, 7.0)]
    assert stop_reaction(heard, 4.0) == 0.3
    assert stop_reaction(heard, 5.0) is None
