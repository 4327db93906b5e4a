"""Endpointing: VAD decisions in, SpeechStarted / SpeechEnded(audio) out. Sans-I/O.

Theory of operation. Each window carries a speech probability, its stream time and its audio.
Two thresholds give hysteresis: a window at or above ``threshold`` is speech; while speech is
going on, anything at or above ``neg_threshold`` keeps it going (Silero's own rule).

    SILENCE ──p ≥ threshold──▶ ONSET ──speech ≥ min_speech_ms──▶ SPEECH
    ONSET ──gap > onset_max_gap_ms──▶ SILENCE          (a click, a cough)
    SPEECH ──silence ≥ end_silence_ms──▶ SILENCE       (SpeechEnded)

With ``tentative_silence_ms`` set, a pause that long inside SPEECH also emits
``SpeechPaused`` carrying the same audio a ``SpeechEnded`` at that point would carry, so the
caller of the segmenter can start speech recognition early and use the result if the pause
turns into the end of the utterance (same ``end_ms``). Speech after such a pause emits
``SpeechResumed`` (work started for the pause can be dropped), and :meth:`Segmenter.end_turn`
ends the utterance at a pause on request: a turn-end model decided the caller has finished
before ``end_silence_ms`` (then the longest wait, the cap) has passed.

``SpeechStarted`` is emitted once the onset has lasted ``min_speech_ms`` and is stamped with
the onset's start; ``SpeechEnded`` carries the utterance audio: ``pre_roll_ms`` before the
onset (the VAD reacts late to soft consonants), the speech, and ``post_roll_ms`` of the
trailing silence. ``max_speech_ms`` bounds an utterance (Whisper hears 30 s at most).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import Enum

from ari_app.speech.ports import VadWindow


@dataclass(frozen=True)
class SegmenterConfig:
    """Thresholds of the endpointer (times in milliseconds of audio)."""

    threshold: float = 0.5
    neg_threshold: float = 0.35
    min_speech_ms: float = 150.0
    """Speech needed before an onset counts (rejects clicks and line pops)."""
    onset_max_gap_ms: float = 100.0
    """Non-speech tolerated inside an onset before it is abandoned."""
    end_silence_ms: float = 600.0
    """Silence that ends an utterance (the endpointing delay)."""
    pre_roll_ms: float = 300.0
    post_roll_ms: float = 150.0
    max_speech_ms: float = 25_000.0
    tentative_silence_ms: float = 0.0
    """Pause that emits :class:`SpeechPaused` (speculative recognition); 0 disables it."""
    check_silence_ms: float = 0.0
    """A longer pause that emits a second :class:`SpeechPaused` with ``check`` set (time to
    ask a turn-end model); 0: the first one is the check."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.neg_threshold <= self.threshold <= 1.0:
            raise ValueError("need 0 <= neg_threshold <= threshold <= 1")
        if min(self.min_speech_ms, self.end_silence_ms, self.pre_roll_ms) < 0:
            raise ValueError("durations must not be negative")
        if self.post_roll_ms > self.end_silence_ms:
            raise ValueError("post_roll_ms cannot exceed end_silence_ms")
        if 0 < self.tentative_silence_ms < self.post_roll_ms:
            raise ValueError("tentative_silence_ms must be 0 or at least post_roll_ms")


@dataclass(frozen=True)
class SpeechStarted:
    """The caller started speaking at ``start_ms``; known at ``detected_ms``."""

    start_ms: float
    detected_ms: float


@dataclass(frozen=True)
class SpeechEnded:
    """An utterance: speech from ``start_ms`` to ``end_ms``, decided at ``detected_ms``."""

    start_ms: float
    end_ms: float
    detected_ms: float
    audio: bytes
    """pre-roll + speech + post-roll, in the VAD's input format."""
    truncated: bool = False
    """True when cut by ``max_speech_ms`` (or :meth:`Segmenter.flush`), not by silence."""

    @property
    def speech_ms(self) -> float:
        """Duration of the speech itself."""
        return self.end_ms - self.start_ms


@dataclass(frozen=True)
class SpeechPaused:
    """The caller paused; if the utterance ends here, its audio will be :attr:`audio`."""

    start_ms: float
    end_ms: float
    detected_ms: float
    audio: bytes
    check: bool = True
    """The pause is long enough to ask whether the caller has finished."""


@dataclass(frozen=True)
class SpeechResumed:
    """The caller spoke again after a :class:`SpeechPaused` (same utterance)."""

    start_ms: float
    detected_ms: float


SegmentEvent = SpeechStarted | SpeechEnded | SpeechPaused | SpeechResumed


class _State(Enum):
    SILENCE = "silence"
    ONSET = "onset"
    SPEECH = "speech"


class Segmenter:
    """Turns a stream of :class:`VadWindow` into speech events (one instance per stream)."""

    def __init__(self, config: SegmenterConfig | None = None) -> None:
        self.config = config or SegmenterConfig()
        self.reset()

    @property
    def in_speech(self) -> bool:
        """True between SpeechStarted and SpeechEnded."""
        return self._state is _State.SPEECH

    def reset(self) -> None:
        """Forget everything (a new stream)."""
        self._state = _State.SILENCE
        self._pre: deque[VadWindow] = deque()
        self._pre_ms = 0.0
        self._utt: list[VadWindow] = []
        self._onset_start = 0.0
        self._speech_ms = 0.0
        self._gap_ms = 0.0
        self._last_speech_end = 0.0
        self._announced = False

    def feed(self, window: VadWindow) -> list[SegmentEvent]:
        """Process one window; return the events it causes (zero, one or two)."""
        cfg = self.config
        p = window.probability
        if self._state is _State.SILENCE:
            if p >= cfg.threshold:
                self._begin_onset(window)
                return self._check_onset(window)
            self._remember(window)
            return []
        self._utt.append(window)
        if self._state is _State.ONSET:
            if p >= cfg.neg_threshold:
                self._speech_ms += window.duration_ms
                self._gap_ms = 0.0
                self._last_speech_end = window.end_ms
                return self._check_onset(window)
            self._gap_ms += window.duration_ms
            if self._gap_ms > cfg.onset_max_gap_ms:
                self._abandon_onset()
            return []
        # SPEECH
        if p >= cfg.neg_threshold:
            self._gap_ms = 0.0
            self._last_speech_end = window.end_ms
            if window.end_ms - self._onset_start >= cfg.max_speech_ms:
                return [self._end(window.end_ms, truncated=True)]
            if self._announced:
                self._announced = False
                return [SpeechResumed(self._onset_start, window.end_ms)]
            return []
        before = self._gap_ms
        self._gap_ms += window.duration_ms
        if self._gap_ms >= cfg.end_silence_ms:
            return [self._end(window.end_ms, truncated=False)]
        tentative, check = cfg.tentative_silence_ms, cfg.check_silence_ms
        if tentative > 0 and before < tentative <= self._gap_ms:
            self._announced = True
            return [self._paused(window.end_ms, check=check <= tentative)]
        if check > tentative > 0 and before < check <= self._gap_ms:
            return [self._paused(window.end_ms, check=True)]
        return []

    def end_turn(self, start_ms: float, end_ms: float, now_ms: float) -> SpeechEnded | None:
        """End the utterance now if it is still in the pause that covers ``start_ms..end_ms``
        (the caller has not spoken since); None when that pause is over or never was."""
        if (
            self._state is not _State.SPEECH
            or not self._announced
            or (self._onset_start, self._last_speech_end) != (start_ms, end_ms)
        ):
            return None
        return self._end(now_ms, truncated=False)

    def feed_all(self, windows: list[VadWindow]) -> list[SegmentEvent]:
        """Feed several windows in order; return all events."""
        events: list[SegmentEvent] = []
        for w in windows:
            events.extend(self.feed(w))
        return events

    def flush(self, now_ms: float | None = None) -> list[SegmentEvent]:
        """End of stream (hang-up): close an utterance in progress, if any."""
        if self._state is not _State.SPEECH:
            self.reset()
            return []
        end = now_ms if now_ms is not None else (self._utt[-1].end_ms if self._utt else 0.0)
        return [self._end(end, truncated=True)]

    # --- internals -------------------------------------------------------------------------

    def _remember(self, window: VadWindow) -> None:
        self._pre.append(window)
        self._pre_ms += window.duration_ms
        while self._pre and self._pre_ms - self._pre[0].duration_ms >= self.config.pre_roll_ms:
            self._pre_ms -= self._pre.popleft().duration_ms

    def _begin_onset(self, window: VadWindow) -> None:
        self._state = _State.ONSET
        self._utt = [window]
        self._onset_start = window.start_ms
        self._speech_ms = window.duration_ms
        self._gap_ms = 0.0
        self._last_speech_end = window.end_ms

    def _check_onset(self, window: VadWindow) -> list[SegmentEvent]:
        if self._speech_ms < self.config.min_speech_ms:
            return []
        self._state = _State.SPEECH
        return [SpeechStarted(start_ms=self._onset_start, detected_ms=window.end_ms)]

    def _abandon_onset(self) -> None:
        pending, self._utt = self._utt, []
        self._state = _State.SILENCE
        for w in pending:
            self._remember(w)

    def _audio(self, truncated: bool) -> bytes:
        keep_until = self._last_speech_end + (0.0 if truncated else self.config.post_roll_ms)
        speech = [w for w in self._utt if w.start_ms < keep_until]
        return b"".join(w.audio for w in self._pre) + b"".join(w.audio for w in speech)

    def _paused(self, detected_ms: float, check: bool) -> SpeechPaused:
        return SpeechPaused(
            start_ms=self._onset_start,
            end_ms=self._last_speech_end,
            detected_ms=detected_ms,
            audio=self._audio(truncated=False),
            check=check,
        )

    def _end(self, detected_ms: float, truncated: bool) -> SpeechEnded:
        audio = self._audio(truncated)
        event = SpeechEnded(
            start_ms=self._onset_start,
            end_ms=self._last_speech_end,
            detected_ms=detected_ms,
            audio=audio,
            truncated=truncated,
        )
        self.reset()
        return event
