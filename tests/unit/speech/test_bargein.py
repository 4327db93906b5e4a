"""The barge-in decision: long speech interrupts, short bursts and noise do not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ari_app.speech.bargein import BargeIn, BargeInConfig, BargeInDetector
from ari_app.speech.ports import VadWindow

W = 32.0


def feed(det: BargeInDetector, probs: list[float], start: int = 0) -> list[BargeIn]:
    out = []
    for i, p in enumerate(probs):
        ev = det.feed(VadWindow(p, (start + i) * W, W))
        if ev:
            out.append(ev)
    return out


def armed(cfg: BargeInConfig | None = None) -> BargeInDetector:
    det = BargeInDetector(cfg or BargeInConfig(min_speech_ms=250))
    det.assistant_started(0.0)
    return det


def test_sustained_speech_interrupts_once() -> None:
    det = armed()
    events = feed(det, [0.0] * 5 + [0.9] * 30)
    assert len(events) == 1
    ev = events[0]
    assert ev.start_ms == 5 * W
    assert ev.speech_ms >= 250
    assert ev.reaction_ms == 8 * W  # 8 windows of 32 ms reach 256 ms
    assert not det.armed


def test_mm_hm_does_not_interrupt() -> None:
    det = armed()
    # "mm-hm": two short bursts of ~130 ms with a 200 ms gap
    assert feed(det, [0.0] * 5 + [0.9] * 4 + [0.1] * 6 + [0.9] * 4 + [0.0] * 20) == []
    assert det.armed


def test_line_noise_does_not_interrupt() -> None:
    det = armed()
    assert feed(det, [0.3, 0.55, 0.2, 0.5, 0.1] * 40) == []


def test_short_gaps_are_tolerated() -> None:
    det = armed(BargeInConfig(min_speech_ms=250, max_gap_ms=100))
    assert len(feed(det, [0.9] * 4 + [0.1] * 2 + [0.9] * 5)) == 1


def test_not_armed_means_no_decision() -> None:
    det = BargeInDetector()
    assert feed(det, [0.9] * 50) == []
    det.assistant_started(0.0)
    det.assistant_stopped()
    assert feed(det, [0.9] * 50) == []


def test_grace_period() -> None:
    det = BargeInDetector(BargeInConfig(min_speech_ms=96, grace_ms=320))
    det.assistant_started(1000.0)
    assert feed(det, [0.9] * 5, start=int(1000 / W)) == []
    assert len(feed(det, [0.9] * 5, start=int(1000 / W) + 11)) == 1


def test_candidate_ms_for_ducking() -> None:
    det = armed()
    feed(det, [0.9] * 3)
    assert det.candidate_ms == 3 * W


def test_config_validation() -> None:
    with pytest.raises(ValueError):
        BargeInConfig(min_speech_ms=0)
    with pytest.raises(ValueError):
        BargeInConfig(threshold=0.2, neg_threshold=0.4)


@given(st.lists(st.floats(0.0, 0.39), max_size=200))
def test_windows_below_threshold_never_interrupt(probs: list[float]) -> None:
    assert feed(armed(), probs) == []


@given(st.integers(0, 50), st.integers(8, 60))
def test_reaction_is_bounded(lead: int, speech: int) -> None:
    events = feed(armed(), [0.0] * lead + [0.9] * speech)
    assert len(events) == 1
    assert events[0].reaction_ms <= 250 + W
