"""Stage events of a turn, with timestamps (pure: the caller passes the clock's readings).

The same events feed logs, metrics, Sentry and tests. A turn runs listening → thinking →
speaking; :class:`TurnTimeline` turns its events into the per-stage latencies we report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Stage(StrEnum):
    """Stable names of the moments in a turn."""

    SPEECH_START = "speech_start"
    TURN_CHECK = "turn_check"
    """The turn-end model and the words judged a pause (detail: finished, p, why)."""
    REJOINED = "rejoined"
    """The caller went on after the turn was ended: the unheard answer was dropped and the
    request asked again with both utterances."""
    SPEECH_END = "speech_end"
    """Endpointing decided the caller stopped (after the end-of-speech silence)."""
    KEYED = "keyed"
    """The caller keyed digits (DTMF) instead of speaking."""
    STT_START = "stt_start"
    STT_END = "stt_end"
    AGENT_START = "agent_start"
    AGENT_FILLER = "agent_filler"
    AGENT_FIRST_SENTENCE = "agent_first_sentence"
    AGENT_END = "agent_end"
    TOOL = "tool"
    """A tool call finished (detail: name, ok, elapsed_ms)."""
    TTS_START = "tts_start"
    TTS_FIRST_AUDIO = "tts_first_audio"
    FIRST_AUDIO_SENT = "first_audio_sent"
    SENTENCE_AUDIO_SENT = "sentence_audio_sent"
    """The first audio of the agent's first real sentence (not a filler) was sent."""
    PLAYOUT_END = "playout_end"
    BARGE_IN_SUSPECTED = "barge_in_suspected"
    BARGE_IN = "barge_in"
    BARGE_IN_CANCELLED = "barge_in_cancelled"
    TRANSFER_START = "transfer_start"
    TRANSFER_END = "transfer_end"
    NOT_UNDERSTOOD = "not_understood"
    ERROR = "error"
    CALL_STATE = "call_state"
    """The call moved between answering, authenticating, conversing, transferring, ended
    (detail: from, to, trigger)."""


class TurnState(StrEnum):
    """Where the conversation is."""

    LISTENING = "listening"
    THINKING = "thinking"
    SPEAKING = "speaking"


@dataclass(frozen=True)
class StageEvent:
    """One moment of one turn: ``t`` is a monotonic clock reading in seconds."""

    turn: int
    stage: Stage
    t: float
    detail: dict[str, Any] = field(default_factory=dict)


# (name, from-stage, to-stage): the latencies a turn reports, in milliseconds.
_SPANS = (
    ("stt_ms", Stage.STT_START, Stage.STT_END),
    ("agent_first_sentence_ms", Stage.AGENT_START, Stage.AGENT_FIRST_SENTENCE),
    ("agent_total_ms", Stage.AGENT_START, Stage.AGENT_END),
    ("tts_first_audio_ms", Stage.TTS_START, Stage.TTS_FIRST_AUDIO),
    ("speech_end_to_first_audio_ms", Stage.SPEECH_END, Stage.FIRST_AUDIO_SENT),
)


@dataclass
class TurnTimeline:
    """The events of one turn and what they add up to."""

    turn: int
    events: list[StageEvent] = field(default_factory=list)
    heard_text: str = ""
    said_text: str = ""
    caller_text: str = ""

    def add(self, event: StageEvent) -> None:
        """Record an event of this turn."""
        self.events.append(event)

    def first(self, stage: Stage) -> StageEvent | None:
        """The first event of ``stage``, if any."""
        return next((e for e in self.events if e.stage == stage), None)

    def latencies_ms(self) -> dict[str, float]:
        """Per-stage latencies present in this turn."""
        out: dict[str, float] = {}
        for name, start, end in _SPANS:
            a, b = self.first(start), self.first(end)
            if a is not None and b is not None and b.t >= a.t:
                out[name] = round((b.t - a.t) * 1000, 1)
        ended = self.first(Stage.SPEECH_END)
        silence = ended.detail.get("silence_ms") if ended is not None else None
        if isinstance(silence, int | float):
            out["endpointing_ms"] = float(silence)
        if "speech_end_to_first_audio_ms" in out and isinstance(silence, int | float):
            # the VAD's last speech window → first audio: endpointing included
            out["vad_end_to_first_audio_ms"] = round(
                out["speech_end_to_first_audio_ms"] + silence, 1
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary of the turn."""
        return {
            "turn": self.turn,
            "caller_text": self.caller_text,
            "said_text": self.said_text,
            "heard_text": self.heard_text,
            "stages": [e.stage.value for e in self.events],
            "stage_times": [[e.stage.value, round(e.t, 3)] for e in self.events],
            **self.latencies_ms(),
            "barge_in_reaction_ms": [
                e.detail["reaction_ms"]
                for e in self.events
                if e.stage is Stage.BARGE_IN_SUSPECTED and "reaction_ms" in e.detail
            ],
        }
