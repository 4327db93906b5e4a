"""The barge-in decision while the assistant speaks. Sans-I/O: VAD windows in, verdicts out.

Duration alone cannot tell "stop" from "mm-hm" (both last 300–450 ms), and a fast reaction
(≤ 300 ms) needs a short threshold. So the decision has two stages:

1. After ``min_speech_ms`` of caller speech: :class:`BargeInSuspected`. The app pauses
   playout at once (or ducks it); this is the reaction time the caller perceives.
2. Speech reaching ``confirm_speech_ms``: :class:`BargeIn` (long speech, surely words).
   Speech that stops first: :class:`BargeInCancelled` with its duration.

Either way the words decide what happens to the paused answer (:func:`judge_interruption`):
a backchannel ("mm-hm", "right"), a cough or noise resumes it where it stopped; "stop."
alone holds it a while for the request that may follow; a real request cuts it (history
keeps only what was heard).

With ``confirm_speech_ms <= min_speech_ms`` the detector is single-stage: it emits only
:class:`BargeIn`, at ``min_speech_ms``. Speech counts windows at or above ``threshold`` to
start and ``neg_threshold`` to continue; gaps up to ``max_gap_ms`` are tolerated.

Because the first stage is reversible it can be eager: ``min_speech_ms`` counts only *strong*
windows (at or above ``suspect_threshold``), so two clear 32 ms windows are enough to pause
while line noise (Silero: ≤ 0.03) and the soft start of a word never are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from ari_app.speech.ports import VadWindow

_BACKCHANNELS = frozenset(
    {
        "mm", "mmm", "mhm", "mm-hm", "mm-hmm", "hm", "hmm", "uh-huh", "uh", "um", "ah", "oh",
        "yeah", "yep", "yes", "ok", "okay", "right", "sure", "alright", "all right", "i see",
        "got it", "cool", "great", "nice", "fine", "good",
    }
)  # fmt: skip


def is_backchannel(text: str) -> bool:
    """True for listener feedback ("mm-hm", "okay", "yeah, right") that must not interrupt."""
    cleaned = re.sub(r"[^\w\s'-]", " ", text.lower())
    phrase = " ".join(cleaned.split())
    if not phrase:
        return True
    if phrase in _BACKCHANNELS:
        return True
    return all(w in _BACKCHANNELS for w in phrase.split())


_HOLD_WORDS = frozenset(
    {
        "stop", "wait", "hold", "hang", "on", "one", "a", "moment", "sec", "second", "just",
        "please", "shh", "sh", "hush", "pause", "no", "sorry", "excuse", "me", "oh",
    }
)  # fmt: skip


def is_hold_request(text: str) -> bool:
    """True for "stop.", "wait", "hold on a second": the caller wants the assistant quiet,
    and has not (yet) said what for."""
    words = re.sub(r"[^\w\s'-]", " ", text.lower()).split()
    return bool(words) and all(w in _HOLD_WORDS for w in words) and not is_backchannel(text)


class PauseVerdict(StrEnum):
    """What a paused answer does once the words that paused it are known."""

    RESUME = "resume"
    """A backchannel, a cough, noise: carry on where it stopped."""
    HOLD = "hold"
    """"Stop." alone: stay quiet a while for the request; resume if none comes."""
    CUT = "cut"
    """A real request: end the answer (history keeps what was heard) and answer it."""
    CUT_UNCLEAR = "cut_unclear"
    """Long speech nothing was understood of: end the answer and ask again."""


def judge_interruption(text: str | None, long_speech: bool) -> PauseVerdict:
    """The verdict on words heard over the assistant (``text`` None: nothing understood;
    ``long_speech``: the caller spoke past the confirmation length)."""
    if text is None:
        return PauseVerdict.CUT_UNCLEAR if long_speech else PauseVerdict.RESUME
    if is_backchannel(text):
        return PauseVerdict.RESUME
    if is_hold_request(text):
        return PauseVerdict.HOLD
    return PauseVerdict.CUT


@dataclass(frozen=True)
class BargeInConfig:
    """Thresholds of the barge-in decision (times in milliseconds of inbound audio)."""

    threshold: float = 0.6
    """A window at or above this starts a candidate interruption."""
    neg_threshold: float = 0.4
    """Within a candidate, windows at or above this still count as speech."""
    min_speech_ms: float = 200.0
    """Strong speech (windows at or above ``suspect_threshold``) that makes an interruption
    suspected (pause playout)."""
    suspect_threshold: float | None = None
    """Probability a window needs to count towards ``min_speech_ms``; None: ``threshold``."""
    confirm_speech_ms: float = 600.0
    """Speech that confirms it (flush and cut); ≤ ``min_speech_ms`` means single-stage."""
    max_gap_ms: float = 250.0
    """Non-speech tolerated inside a candidate (pauses between words, "no, wait, stop")."""
    grace_ms: float = 0.0
    """Ignore the first ``grace_ms`` after playout starts (e.g. residual echo on a trunk)."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.neg_threshold <= self.threshold <= 1.0:
            raise ValueError("need 0 <= neg_threshold <= threshold <= 1")
        if self.min_speech_ms <= 0:
            raise ValueError("min_speech_ms must be positive")
        if self.suspect_threshold is not None and not 0.0 <= self.suspect_threshold <= 1.0:
            raise ValueError("suspect_threshold must be within [0, 1]")

    @property
    def strong_threshold(self) -> float:
        """The probability a window needs to count towards a suspected interruption."""
        return self.threshold if self.suspect_threshold is None else self.suspect_threshold

    @property
    def two_stage(self) -> bool:
        """True when a suspected interruption is confirmed or cancelled later."""
        return self.confirm_speech_ms > self.min_speech_ms


@dataclass(frozen=True)
class BargeInSuspected:
    """The caller may be interrupting: pause playout. Speech began at ``start_ms``."""

    start_ms: float
    detected_ms: float

    @property
    def reaction_ms(self) -> float:
        """From the caller's first speech window to this decision."""
        return self.detected_ms - self.start_ms


@dataclass(frozen=True)
class BargeIn:
    """The caller interrupted: flush and cut the reply. Speech began at ``start_ms``."""

    start_ms: float
    detected_ms: float
    speech_ms: float

    @property
    def reaction_ms(self) -> float:
        """From the caller's first speech window to this decision."""
        return self.detected_ms - self.start_ms


@dataclass(frozen=True)
class BargeInCancelled:
    """The suspected interruption was short: resume playout (and check its words later)."""

    start_ms: float
    detected_ms: float
    speech_ms: float


BargeInEvent = BargeInSuspected | BargeIn | BargeInCancelled


class BargeInDetector:
    """Decides, window by window, whether the caller is talking over the assistant."""

    def __init__(self, config: BargeInConfig | None = None) -> None:
        self.config = config or BargeInConfig()
        self._speaking = False
        self._since_ms = 0.0
        self._start_ms: float | None = None
        self._speech_ms = 0.0
        self._strong_ms = 0.0
        self._gap_ms = 0.0
        self._suspected = False

    @property
    def armed(self) -> bool:
        """True while the assistant speaks (windows are being judged)."""
        return self._speaking

    @property
    def suspected(self) -> bool:
        """True between :class:`BargeInSuspected` and its confirmation or cancellation."""
        return self._suspected

    @property
    def candidate_ms(self) -> float:
        """Speech accumulated in the current candidate (0 when none)."""
        return self._speech_ms

    def assistant_started(self, now_ms: float) -> None:
        """Playout began at inbound stream time ``now_ms``: start judging windows."""
        self._speaking = True
        self._since_ms = now_ms
        self._clear()

    def assistant_stopped(self) -> None:
        """Playout ended (finished, or flushed): stop judging."""
        self._speaking = False
        self._clear()

    def feed(self, window: VadWindow) -> BargeInEvent | None:
        """Judge one inbound window; return an event when the verdict changes."""
        if not self._speaking or window.start_ms < self._since_ms + self.config.grace_ms:
            return None
        cfg = self.config
        p = window.probability
        if self._start_ms is None:
            if p < cfg.threshold:
                return None
            self._start_ms = window.start_ms
            self._speech_ms = window.duration_ms
            self._strong_ms = window.duration_ms if p >= cfg.strong_threshold else 0.0
        elif p >= cfg.neg_threshold:
            self._speech_ms += window.duration_ms
            if p >= cfg.strong_threshold:
                self._strong_ms += window.duration_ms
            self._gap_ms = 0.0
        else:
            self._gap_ms += window.duration_ms
            if self._gap_ms <= cfg.max_gap_ms:
                return None
            cancelled = (
                BargeInCancelled(self._start_ms, window.end_ms, self._speech_ms)
                if self._suspected
                else None
            )
            self._clear()
            return cancelled
        return self._verdict(self._start_ms, window.end_ms)

    def _verdict(self, start_ms: float, now_ms: float) -> BargeInEvent | None:
        cfg = self.config
        strong_enough = self._strong_ms >= cfg.min_speech_ms
        confirmed = not cfg.two_stage or self._speech_ms >= cfg.confirm_speech_ms
        if confirmed and strong_enough:
            event = BargeIn(start_ms, now_ms, self._speech_ms)
            self.assistant_stopped()
            return event
        if cfg.two_stage and not self._suspected and strong_enough:
            self._suspected = True
            return BargeInSuspected(start_ms, now_ms)
        return None

    def _clear(self) -> None:
        self._start_ms = None
        self._speech_ms = 0.0
        self._strong_ms = 0.0
        self._gap_ms = 0.0
        self._suspected = False
