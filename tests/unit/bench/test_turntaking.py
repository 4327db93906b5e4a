"""The turn-taking bench's judgements: pure functions over segments and stage times."""

from __future__ import annotations

import numpy as np

from switchboard.bench.turntaking import (
    DISTURBANCES,
    HESITATIONS,
    STORY_REQUEST,
    disturbance_segments,
    judge_hesitations,
    judge_resumes,
    resume_steps,
)
from switchboard.callers.analysis import Segment
from switchboard.callers.script import (
    Cough,
    Hesitant,
    Noise,
    Pause,
    Speak,
    render_script,
    stretch_pauses,
)
from switchboard.callers.timeline import CallerTimeline

ORIGIN = 1_000.0  # wall clock at the microphone's start
OFFSET = 900.0  # wall clock minus monotonic: app time t is caller time t + OFFSET - ORIGIN


def _timeline(heard: list[Segment]) -> CallerTimeline:
    return CallerTimeline(heard, np.zeros(8000, dtype=np.float32), 8000, "wire", origin=ORIGIN)


def _mono(caller_s: float) -> float:
    return caller_s + ORIGIN - OFFSET


def test_the_set_has_forty_requests_with_pauses_of_300_to_900_ms() -> None:
    assert len(HESITATIONS) >= 40
    for request in HESITATIONS:
        pauses = [p for p in request.parts if isinstance(p, float)]
        assert pauses and all(0.3 <= p <= 0.9 for p in pauses), request


def test_a_turn_ended_before_the_last_piece_is_a_cut_off() -> None:
    said = [Segment(5.0, 8.0), Segment(15.0, 18.0)]
    turns = [
        {"stage_times": [["speech_end", _mono(6.2)]]},  # mid-request: cut off
        {"stage_times": [["speech_end", _mono(8.3)]]},  # after it: fine
        {"stage_times": [["speech_end", _mono(18.25)]]},
    ]
    heard = [Segment(6.9, 7.5), Segment(18.9, 21.0)]
    result = judge_hesitations(said, heard, turns, _timeline(heard), OFFSET)
    assert result.early_end == [True, False]
    assert result.talked_over == [True, False]
    assert result.cut_off == [True, False]


def test_an_early_end_repaired_before_anything_was_heard_is_no_cut_off() -> None:
    said = [Segment(5.0, 8.0)]
    turns = [
        {"stage_times": [["speech_end", _mono(6.2)]]},
        {"stage_times": [["speech_end", _mono(8.3)], ["rejoined", _mono(8.4)]]},
    ]
    heard = [Segment(9.0, 11.0)]
    result = judge_hesitations(said, heard, turns, _timeline(heard), OFFSET)
    assert result.early_end == [True]
    assert result.talked_over == [False]
    assert result.cut_off == [False]


def test_without_a_clock_the_cut_off_is_unknown() -> None:
    timeline = CallerTimeline([], np.zeros(8000, dtype=np.float32), 8000, "recording")
    result = judge_hesitations([Segment(5.0, 8.0)], [], [], timeline, OFFSET)
    assert result.cut_off == [None] and result.early_end == [None]


def test_a_disturbance_resumed_when_the_story_is_not_cut_and_plays_on() -> None:
    story = {
        "caller_text": "Tell me a long story.",
        "stages": ["speech_end", "barge_in_suspected", "playout_end"],
        "stage_times": [["speech_end", _mono(3.0)], ["barge_in_suspected", _mono(10.1)]],
    }
    disturbance = [Segment(10.0, 10.4)]
    heard = [Segment(4.0, 10.2), Segment(11.0, 28.0)]
    (tried,) = judge_resumes(disturbance, heard, [story], _timeline(heard), OFFSET)
    assert tried["paused"] and not tried["cut"] and tried["heard_again"] and tried["ok"]


def test_a_cut_story_is_a_failed_try() -> None:
    story = {
        "caller_text": "Tell me a long story.",
        "stages": ["speech_end", "barge_in"],
        "stage_times": [["speech_end", _mono(3.0)], ["barge_in", _mono(11.0)]],
    }
    heard = [Segment(4.0, 10.2)]
    (tried,) = judge_resumes([Segment(10.0, 10.4)], heard, [story], _timeline(heard), OFFSET)
    assert tried["cut"] and not tried["ok"]


def test_the_resume_script_puts_three_disturbances_in_each_story() -> None:
    steps = [s for s in resume_steps(4, 4.5) if not isinstance(s, Pause)]
    story = Speak(STORY_REQUEST)
    assert steps == [story, *DISTURBANCES[:3], story, DISTURBANCES[3]]
    assert DISTURBANCES[0] == Cough() and isinstance(DISTURBANCES[3], Noise)


def test_rendered_scripts_place_noise_coughs_and_hesitant_requests(tmp_path) -> None:  # type: ignore[no-untyped-def]
    def synth(text: str, rate: int) -> bytes:
        return (np.ones(rate // 2) * 5000).astype("<i2").tobytes() + bytes(rate // 5)

    steps = [
        Pause(1.0),
        Speak(STORY_REQUEST),
        Cough(0.3),
        Noise(0.5),
        Hesitant(("I need to add,", 0.5, "milk."), whole=False),
    ]
    script = render_script(steps, tmp_path / "mic.wav", synth)
    segments = disturbance_segments(script.placed)
    assert len(segments) == 3  # the story request is not a disturbance
    cough, noise, hesitant = segments
    assert abs(cough.duration - 0.3) < 0.01 and abs(noise.duration - 0.5) < 0.01
    assert abs(hesitant.duration - (0.5 + 0.5 + 0.5)) < 0.01  # trailing silence trimmed
    assert script.utterances[-1][0] == "I need to add, milk."


def test_the_pauses_inside_a_sentence_are_stretched_in_order() -> None:
    rate = 8000
    loud = (np.ones(rate // 4) * 5000).astype("<i2").tobytes()  # 250 ms of sound
    short, long_ = bytes(2 * rate // 10), bytes(2 * rate // 5)  # 100 ms and 200 ms gaps
    pcm = loud + short + loud + long_ + loud + bytes(2 * rate // 50)  # a 20 ms gap too
    out = np.frombuffer(stretch_pauses(pcm, rate, [0.6, 0.3]), dtype="<i2")
    quiet = np.abs(out.reshape(-1, rate // 100)).max(axis=1) < 300
    runs, run = [], 0
    for q in quiet:
        if q:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    assert runs == [60, 30]  # the two gaps, 600 then 300 ms; the tail is left alone
