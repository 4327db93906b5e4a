"""The barge-in decision while the assistant speaks. Sans-I/O: VAD windows in, a verdict out.

Caller speech that lasts ``min_speech_ms`` (counting only windows at or above the thresholds,
with short gaps tolerated) interrupts the assistant; a short "mm-hm", a click or line noise
does not. The trade-off is explicit: a larger ``min_speech_ms`` ignores longer backchannels
but reacts later (reaction time ≈ VAD onset + ``min_speech_ms`` + one window).

Usage: call :meth:`BargeInDetector.assistant_started` when playout begins (with the inbound
stream time), feed every inbound VAD window, and act on the returned :class:`BargeIn`
(FLUSH_MEDIA, cut the reply). After a barge-in or :meth:`assistant_stopped` the detector is
idle until the next ``assistant_started``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ari_app.speech.ports import VadWindow


@dataclass(frozen=True)
class BargeInConfig:
    """Thresholds of the barge-in decision (times in milliseconds of inbound audio)."""

    threshold: float = 0.6
    """A window at or above this starts (or strengthens) a candidate interruption."""
    neg_threshold: float = 0.4
    """Within a candidate, windows at or above this still count as speech."""
    min_speech_ms: float = 250.0
    """Speech needed to interrupt; shorter bursts ("mm-hm", "ok") are let through."""
    max_gap_ms: float = 120.0
    """Non-speech tolerated inside a candidate before it is dropped."""
    grace_ms: float = 0.0
    """Ignore the first ``grace_ms`` after playout starts (e.g. residual echo on a trunk)."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.neg_threshold <= self.threshold <= 1.0:
            raise ValueError("need 0 <= neg_threshold <= threshold <= 1")
        if self.min_speech_ms <= 0:
            raise ValueError("min_speech_ms must be positive")


@dataclass(frozen=True)
class BargeIn:
    """The caller interrupted: speech began at ``start_ms``; decided at ``detected_ms``."""

    start_ms: float
    detected_ms: float
    speech_ms: float

    @property
    def reaction_ms(self) -> float:
        """From the caller's first speech window to the decision."""
        return self.detected_ms - self.start_ms


class BargeInDetector:
    """Decides, window by window, whether the caller is talking over the assistant."""

    def __init__(self, config: BargeInConfig | None = None) -> None:
        self.config = config or BargeInConfig()
        self._speaking = False
        self._since_ms = 0.0
        self._start_ms: float | None = None
        self._speech_ms = 0.0
        self._gap_ms = 0.0

    @property
    def armed(self) -> bool:
        """True while the assistant speaks (windows are being judged)."""
        return self._speaking

    @property
    def candidate_ms(self) -> float:
        """Speech accumulated in the current candidate (0 when none); useful for ducking."""
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

    def feed(self, window: VadWindow) -> BargeIn | None:
        """Judge one inbound window; return a :class:`BargeIn` once, when it interrupts."""
        if not self._speaking or window.start_ms < self._since_ms + self.config.grace_ms:
            return None
        cfg = self.config
        p = window.probability
        if self._start_ms is None:
            if p >= cfg.threshold:
                self._start_ms = window.start_ms
                self._speech_ms = window.duration_ms
        elif p >= cfg.neg_threshold:
            self._speech_ms += window.duration_ms
            self._gap_ms = 0.0
        else:
            self._gap_ms += window.duration_ms
            if self._gap_ms > cfg.max_gap_ms:
                self._clear()
            return None
        if self._start_ms is not None and self._speech_ms >= cfg.min_speech_ms:
            event = BargeIn(self._start_ms, window.end_ms, self._speech_ms)
            self.assistant_stopped()
            return event
        return None

    def _clear(self) -> None:
        self._start_ms = None
        self._speech_ms = 0.0
        self._gap_ms = 0.0
