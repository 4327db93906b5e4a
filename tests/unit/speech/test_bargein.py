"""The barge-in decision: long speech interrupts, short bursts and noise do not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ari_app.speech.bargein import (
    BargeIn,
    BargeInCancelled,
    BargeInConfig,
    BargeInDetector,
    BargeInEvent,
    BargeInSuspected,
    PauseVerdict,
    is_backchannel,
    judge_interruption,
)
from ari_app.speech.ports import VadWindow

W = 32.0
SINGLE = BargeInConfig(min_speech_ms=250, confirm_speech_ms=0, max_gap_ms=120)
TWO = BargeInConfig(min_speech_ms=200, confirm_speech_ms=600, max_gap_ms=120)


def feed(det: BargeInDetector, probs: list[float], start: int = 0) -> list[BargeInEvent]:
    out = []
    for i, p in enumerate(probs):
        ev = det.feed(VadWindow(p, (start + i) * W, W))
        if ev:
            out.append(ev)
    return out


def armed(cfg: BargeInConfig = SINGLE) -> BargeInDetector:
    det = BargeInDetector(cfg)
    det.assistant_started(0.0)
    return det


def test_single_stage_sustained_speech_interrupts_once() -> None:
    det = armed()
    events = feed(det, [0.0] * 5 + [0.9] * 30)
    assert len(events) == 1
    ev = events[0]
    assert isinstance(ev, BargeIn)
    assert ev.start_ms == 5 * W
    assert ev.speech_ms >= 250
    assert ev.reaction_ms == 8 * W  # 8 windows of 32 ms reach 256 ms
    assert not det.armed


def test_single_stage_mm_hm_does_not_interrupt() -> None:
    det = armed()
    # "mm-hm": two short bursts of ~130 ms with a 200 ms gap
    assert feed(det, [0.0] * 5 + [0.9] * 4 + [0.1] * 6 + [0.9] * 4 + [0.0] * 20) == []
    assert det.armed


def test_two_stage_pauses_fast_then_confirms() -> None:
    det = armed(TWO)
    events = feed(det, [0.0] * 3 + [0.9] * 40)
    assert [type(e) for e in events] == [BargeInSuspected, BargeIn]
    suspected, confirmed = events
    assert isinstance(suspected, BargeInSuspected) and suspected.reaction_ms == 7 * W
    assert isinstance(confirmed, BargeIn) and confirmed.speech_ms >= 600
    assert not det.armed


def test_two_stage_short_backchannel_is_cancelled() -> None:
    det = armed(TWO)
    events = feed(det, [0.9] * 11 + [0.0] * 10)  # ~350 ms, like Piper's "Mm."
    assert [type(e) for e in events] == [BargeInSuspected, BargeInCancelled]
    cancelled = events[1]
    assert isinstance(cancelled, BargeInCancelled) and cancelled.speech_ms == 11 * W
    assert det.armed and not det.suspected
    # a later, longer interruption is still caught
    assert isinstance(feed(det, [0.9] * 30, start=30)[-1], BargeIn)


def test_line_noise_does_not_interrupt() -> None:
    for cfg in (SINGLE, TWO):
        assert feed(armed(cfg), [0.3, 0.55, 0.2, 0.5, 0.1] * 40) == []


def test_short_gaps_are_tolerated() -> None:
    det = armed(BargeInConfig(min_speech_ms=250, confirm_speech_ms=0, max_gap_ms=100))
    assert len(feed(det, [0.9] * 4 + [0.1] * 2 + [0.9] * 5)) == 1


def test_not_armed_means_no_decision() -> None:
    det = BargeInDetector()
    assert feed(det, [0.9] * 50) == []
    det.assistant_started(0.0)
    det.assistant_stopped()
    assert feed(det, [0.9] * 50) == []


def test_grace_period() -> None:
    det = BargeInDetector(BargeInConfig(min_speech_ms=96, confirm_speech_ms=0, grace_ms=320))
    det.assistant_started(1000.0)
    first = int(1000 / W)
    assert feed(det, [0.9] * 5, start=first) == []
    assert len(feed(det, [0.9] * 5, start=first + 11)) == 1


def test_candidate_ms() -> None:
    det = armed()
    feed(det, [0.9] * 3)
    assert det.candidate_ms == 3 * W


def test_config_validation() -> None:
    with pytest.raises(ValueError):
        BargeInConfig(min_speech_ms=0)
    with pytest.raises(ValueError):
        BargeInConfig(threshold=0.2, neg_threshold=0.4)
    assert TWO.two_stage and not SINGLE.two_stage


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mm-hm.", True),
        ("Okay.", True),
        ("Yeah, right.", True),
        ("uh-huh", True),
        ("", True),
        ("Stop.", False),
        ("No, wait, stop.", False),
        ("Okay, cancel that.", False),
    ],
)
def test_is_backchannel(text: str, expected: bool) -> None:
    assert is_backchannel(text) is expected


@given(st.lists(st.floats(0.0, 0.59), max_size=200))
def test_windows_below_threshold_never_interrupt(probs: list[float]) -> None:
    assert feed(armed(TWO), probs) == []


@given(st.integers(0, 50), st.integers(8, 60))
def test_reaction_is_bounded(lead: int, speech: int) -> None:
    events = feed(armed(), [0.0] * lead + [0.9] * speech)
    assert len(events) == 1
    assert events[0].reaction_ms <= 250 + W  # type: ignore[union-attr]


@given(st.lists(st.floats(0.0, 1.0), max_size=300))
def test_two_stage_event_grammar(probs: list[float]) -> None:
    kinds = [type(e) for e in feed(armed(TWO), probs)]
    # (Suspected Cancelled)* then optionally Suspected, then optionally BargeIn
    i = 0
    while kinds[i : i + 2] == [BargeInSuspected, BargeInCancelled]:
        i += 2
    assert kinds[i:] in ([], [BargeInSuspected], [BargeInSuspected, BargeIn])


EAGER = BargeInConfig(
    threshold=0.5, min_speech_ms=64, suspect_threshold=0.7, confirm_speech_ms=600, max_gap_ms=250
)


def test_eager_stage_pauses_after_two_strong_windows() -> None:
    det = armed(EAGER)
    events = feed(det, [0.05, 0.18, 0.76, 1.0])
    assert len(events) == 1 and isinstance(events[0], BargeInSuspected)
    assert events[0].start_ms == 2 * W and events[0].detected_ms == 4 * W


def test_weak_windows_do_not_count_towards_the_eager_stage() -> None:
    det = armed(EAGER)
    # a candidate (≥ 0.5) that never has two windows ≥ 0.7: no pause, and no cut either
    assert feed(det, [0.55, 0.6, 0.5, 0.65, 0.55] * 6) == []


def test_line_noise_never_suspects_even_when_eager() -> None:
    det = armed(EAGER)
    assert feed(det, [0.01, 0.03, 0.02] * 200) == []


def test_eager_short_burst_is_cancelled_and_long_speech_confirmed() -> None:
    det = armed(EAGER)
    events = feed(det, [0.9, 0.9, 0.9] + [0.1] * 9)
    assert [type(e) for e in events] == [BargeInSuspected, BargeInCancelled]
    det = armed(EAGER)
    events = feed(det, [0.9] * 20)
    assert [type(e) for e in events] == [BargeInSuspected, BargeIn]


def test_suspect_threshold_is_validated() -> None:
    with pytest.raises(ValueError):
        BargeInConfig(suspect_threshold=1.5)


@pytest.mark.parametrize(
    ("text", "long_speech", "verdict"),
    [
        ("Mm-hmm.", False, PauseVerdict.RESUME),
        ("Right.", False, PauseVerdict.RESUME),
        ("Okay, yeah.", True, PauseVerdict.RESUME),  # a long backchannel is still one
        (None, False, PauseVerdict.RESUME),  # a cough, noise: nothing understood
        (None, True, PauseVerdict.CUT_UNCLEAR),  # long speech nobody understood
        ("Stop.", False, PauseVerdict.HOLD),
        ("Hold on a second.", False, PauseVerdict.HOLD),
        ("Wait, wait.", False, PauseVerdict.HOLD),
        ("Stop. Tell me a long story again.", False, PauseVerdict.CUT),
        ("What time is it?", False, PauseVerdict.CUT),
    ],
)
def test_the_words_decide_what_a_paused_answer_does(
    text: str | None, long_speech: bool, verdict: PauseVerdict
) -> None:
    assert judge_interruption(text, long_speech) is verdict
