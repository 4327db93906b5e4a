"""The turn-taking figures of ``bench latency``: hesitant callers and interruptions that are not.

* **Cut-off rate.** A caller says requests in pieces, with mid-sentence pauses of 300-900 ms
  and hesitations ("I need to add, um, … milk to my list."). A request is *cut off* when the
  app decided the turn had ended (its ``speech_end`` stage) before the caller's last piece was
  over; *talked over* when the caller heard the assistant start before then.
* **Resume rate.** While the assistant tells a long story the caller coughs, says "mm-hmm",
  "right", "okay", "uh-huh", a lone "stop." or the line crackles. A try succeeds when the
  answer is not cut (no ``barge_in`` stage until the next disturbance, or for the last one,
  the story plays to its end) and, at the caller, the answer is heard again afterwards.

The app's stage events are put on the caller's timeline with the wall clock: the wire capture
stamps packets with CLOCK_REALTIME, the app its events with the monotonic clock, and this
process knows the offset between the two. Without the wire (no root) the rates are None.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from switchboard.callers.analysis import Segment
from switchboard.callers.script import Cough, Hesitant, Noise, Pause, Speak, Step
from switchboard.callers.timeline import CallerTimeline


def _falling(parts: tuple[str | float, ...]) -> bool:
    """A piece that ends with no comma before its pause is said on its own (falling voice)."""
    pieces = [p for p in parts if isinstance(p, str)]
    return not pieces[0].rstrip().endswith(",")


HESITATIONS: tuple[Hesitant, ...] = tuple(
    Hesitant(parts, whole=not _falling(parts))
    for parts in (
        ("I need to add,", 0.6, "um,", 0.4, "milk to my list."),
        ("Remind me to call the bank at,", 0.7, "nine."),
        ("Book a meeting with,", 0.5, "uh,", 0.5, "Sarah on Friday."),
        ("Add a reminder for,", 0.8, "the dentist tomorrow."),
        ("Can you,", 0.45, "um,", 0.6, "move my meeting to Monday?"),
        ("Assign the code review to,", 0.9, "John."),
        ("What do I have,", 0.3, "on Thursday?"),
        ("Mark the,", 0.5, "milk task as done."),
        ("So I need to,", 0.75, "call the plumber today."),
        ("Put a meeting with the design team on,", 0.6, "Wednesday at ten."),
        ("Remind me to,", 0.35, "uh,", 0.5, "send the report."),
        ("Add,", 0.9, "buy bread,", 0.4, "to my to do list."),
        ("Tell the sales team that,", 0.65, "the demo moved."),
        ("I want to book,", 0.55, "a room for three people."),
        ("Could you check,", 0.8, "what is due this week?"),
        ("Please add,", 0.3, "um,", 0.3, "a todo to water the plants."),
        ("Move my dentist appointment to,", 0.7, "next Tuesday."),
        ("Cancel the meeting with,", 0.5, "Peter."),
        ("Remind me at five,", 0.4, "to leave the office."),
        ("Assign,", 0.6, "the budget review,", 0.5, "to Maria."),
        ("I'd like to,", 0.85, "talk to a human in support."),
        ("What's on my calendar for,", 0.45, "next week?"),
        ("Add a todo,", 0.35, "uh,", 0.7, "to renew my passport."),
        ("Schedule a call with,", 0.9, "the accountant on Friday."),
        ("Mark my first task,", 0.5, "as done."),
        ("Remind me tomorrow morning,", 0.6, "to buy flowers."),
        ("Book the big meeting room for,", 0.4, "Monday afternoon."),
        ("I think I need,", 0.75, "um,", 0.4, "a reminder for the rent."),
        ("Who is on,", 0.3, "the dev team?"),
        ("Add pick up the kids,", 0.65, "at four."),
        ("Remind me to call the bank at", 0.6, "nine."),
        ("Book a meeting with", 0.5, "Sarah on Friday."),
        ("Assign the code review to", 0.8, "John."),
        ("Add a reminder for", 0.45, "the dentist."),
        ("Move my meeting to", 0.7, "Monday."),
        ("Put the report on", 0.55, "my to do list."),
        ("Send a message to", 0.9, "the sales team."),
        ("Remind me about the", 0.35, "dentist."),
        ("Create a todo for the", 0.6, "garden."),
        ("Schedule lunch with", 0.75, "my manager on Tuesday."),
        ("Um,", 0.5, "add eggs to my shopping list."),
        ("Well,", 0.6, "what is on my calendar today?"),
    )
)
"""42 requests said in pieces. The first 30 hesitate the way people do, with a rising or
level voice and fillers (written with a comma, Piper's continuation prosody); the next 10 stop
on a preposition or article with a *falling* voice (Piper reads a piece as a whole sentence),
which the sound alone takes for an end; the last 2 start with a filler."""

DISTURBANCES: tuple[Step, ...] = (
    Cough(),
    Speak("Mm-hmm."),
    Speak("Right."),
    Noise(0.6, level=2500.0),
    Speak("Stop."),
    Speak("Okay."),
    Speak("Uh-huh."),
)
"""What a caller does over an answer that is not an interruption, taken in turn."""
DISTURBANCES_PER_STORY = 3
STORY_REQUEST = "Tell me a long story."
FIRST_DISTURBANCE_S = 5.5
"""From the end of the request to the first disturbance (the story has started by then)."""
BETWEEN_DISTURBANCES_S = 4.5
STORY_TAIL_S = 30.0
"""After the last disturbance of a story: the rest of it (about 24 s in all, plus what
resuming repeats and "stop." holds) and a margin."""
HEARD_AGAIN_S = 6.5
"""The answer must be heard again within this long after a disturbance ends (a lone "stop."
holds it 3 s after its turn has ended, which may take the 2 s cap)."""


def clock_offset() -> float:
    """CLOCK_REALTIME minus the monotonic clock, now (seconds)."""
    return time.time() - time.monotonic()


def stage_times(turn: dict[str, Any], stage: str) -> list[float]:
    """Monotonic times of every ``stage`` event of one app turn."""
    pairs = turn.get("stage_times") or []
    return [float(t) for name, t in pairs if name == stage]


def on_caller_timeline(t_monotonic: float, timeline: CallerTimeline, offset: float) -> float | None:
    """An app event's time in seconds from the caller's microphone start (None: no clock)."""
    if timeline.origin is None:
        return None
    return t_monotonic + offset - timeline.origin


def hesitation_steps(count: int, first_wait_s: float, gap_s: float) -> list[Step]:
    """The caller's script: ``count`` hesitant requests (cycling the set), gaps between."""
    steps: list[Step] = [Pause(first_wait_s)]
    for i in range(count):
        steps += [HESITATIONS[i % len(HESITATIONS)], Pause(gap_s)]
    return steps


@dataclass(frozen=True)
class HesitationResult:
    """Per request (None where the app's clock could not be placed on the caller's):

    * ``early_end``: the app ended the turn before the caller's last piece was over;
    * ``talked_over``: the caller heard the assistant before finishing;
    * ``cut_off``: what the caller suffers: talked over, or ended early and never repaired
      (the unheard answer was not dropped for the whole request: no ``rejoined`` stage).
    """

    early_end: list[bool | None]
    talked_over: list[bool]
    cut_off: list[bool | None]


def judge_hesitations(
    said: Sequence[Segment],
    heard: Sequence[Segment],
    app_turns: Sequence[dict[str, Any]],
    timeline: CallerTimeline,
    offset: float,
) -> HesitationResult:
    """Which requests were ended early, talked over, cut off (pure, given the clocks)."""

    def placed(stage: str) -> list[float]:
        times = [on_caller_timeline(t, timeline, offset) for turn in app_turns for t in
                 stage_times(turn, stage)]  # fmt: skip
        return [t for t in times if t is not None]

    ends, rejoins = placed("speech_end"), placed("rejoined")
    early: list[bool | None] = []
    over: list[bool] = []
    cut: list[bool | None] = []
    for seg in said:
        talked = any(seg.start < h.start < seg.end - 0.05 for h in heard)
        over.append(talked)
        if timeline.origin is None:
            early.append(None)
            cut.append(None)
            continue
        ended = any(seg.start < e < seg.end - 0.05 for e in ends)
        repaired = any(seg.start < r < seg.end + 3.0 for r in rejoins)
        early.append(ended)
        cut.append(talked or (ended and not repaired))
    return HesitationResult(early, over, cut)


def resume_steps(tries: int, first_wait_s: float) -> list[Step]:
    """The caller's script: ``tries`` disturbances over long answers, a few per story."""
    steps: list[Step] = [Pause(first_wait_s)]
    for i in range(tries):
        if i % DISTURBANCES_PER_STORY == 0:
            if i:
                steps.append(Pause(STORY_TAIL_S))
            steps += [Speak(STORY_REQUEST), Pause(FIRST_DISTURBANCE_S)]
        else:
            steps.append(Pause(BETWEEN_DISTURBANCES_S))
        steps.append(DISTURBANCES[i % len(DISTURBANCES)])
    steps.append(Pause(STORY_TAIL_S))
    return steps


def disturbance_segments(placed: Sequence[tuple[Step, Segment]]) -> list[Segment]:
    """Where the disturbances of a rendered resume script lie (the story requests left out)."""
    return [
        seg for step, seg in placed if not (isinstance(step, Speak) and step.text == STORY_REQUEST)
    ]


def disturbance_names(tries: int) -> list[str]:
    """What each try was ("cough", "mm-hmm.", "noise", ...)."""
    names = []
    for i in range(tries):
        step = DISTURBANCES[i % len(DISTURBANCES)]
        if isinstance(step, Speak):
            names.append(step.text.lower())
        else:
            names.append(type(step).__name__.lower())
    return names


def judge_resumes(
    disturbances: Sequence[Segment],
    heard: Sequence[Segment],
    app_turns: Sequence[dict[str, Any]],
    timeline: CallerTimeline,
    offset: float,
) -> list[dict[str, Any]]:
    """Per disturbance: did it pause the answer, was the answer cut, heard again, finished."""
    stories = [t for t in app_turns if "long story" in str(t.get("caller_text", "")).lower()]
    out: list[dict[str, Any]] = []
    for i, seg in enumerate(disturbances):
        story = _story_for(seg, stories, timeline, offset)
        nxt = disturbances[i + 1].start if i + 1 < len(disturbances) else seg.end + 30.0
        cuts = [_at(t, timeline, offset) for t in stage_times(story, "barge_in")] if story else []
        paused = [
            _at(t, timeline, offset) for t in stage_times(story, "barge_in_suspected")
        ] if story else []  # fmt: skip
        cut = any(seg.start - 0.1 <= c < nxt for c in cuts)
        finished = story is not None and "playout_end" in story.get("stages", []) and not cuts
        heard_again = any(seg.end < h.end and h.start < seg.end + HEARD_AGAIN_S for h in heard)
        last_of_story = (
            i + 1 == len(disturbances)
            or _story_for(disturbances[i + 1], stories, timeline, offset) is not story
        )
        ok = not cut and heard_again and (finished or not last_of_story)
        out.append(
            {
                "paused": any(seg.start - 0.1 <= p < seg.end + 0.5 for p in paused),
                "cut": cut,
                "heard_again": heard_again,
                "story_finished": finished,
                "ok": ok,
            }
        )
    return out


def _at(t: float, timeline: CallerTimeline, offset: float) -> float:
    value = on_caller_timeline(t, timeline, offset)
    return float("nan") if value is None else value


def _story_for(
    seg: Segment,
    stories: Sequence[dict[str, Any]],
    timeline: CallerTimeline,
    offset: float,
) -> dict[str, Any] | None:
    """The story turn playing when ``seg`` began: the latest that started before it."""
    best: dict[str, Any] | None = None
    for story in stories:
        starts = stage_times(story, "speech_end")
        if starts and _at(starts[0], timeline, offset) < seg.start:
            best = story
    return best
