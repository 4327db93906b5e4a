"""The speech vocabulary: protocols for VAD, STT and TTS, their results and their errors.

Adapters (``vad_silero``, ``stt_whisper``, ``tts_piper``, ...) implement these protocols; the
call code depends only on this module, and unit tests use fakes that follow it.

Audio is always s16le mono bytes. STT takes 16 kHz (telephony 8 kHz is upsampled first);
TTS yields chunks at the rate the caller asks for (16 kHz slin16 for chan_websocket).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

STT_SAMPLE_RATE = 16000
"""Sample rate every :class:`SpeechToText` takes."""


class SpeechErrorCode(StrEnum):
    """Stable error codes, one per failure kind (logged, counted, shown in tests)."""

    VAD_MODEL_MISSING = "vad_model_missing"
    VAD_BAD_AUDIO = "vad_bad_audio"
    VAD_FAILED = "vad_failed"
    STT_MODEL_MISSING = "stt_model_missing"
    STT_BAD_AUDIO = "stt_bad_audio"
    STT_FAILED = "stt_failed"
    STT_TIMEOUT = "stt_timeout"
    STT_UNAVAILABLE = "stt_unavailable"
    TTS_MODEL_MISSING = "tts_model_missing"
    TTS_BAD_TEXT = "tts_bad_text"
    TTS_FAILED = "tts_failed"
    TTS_TIMEOUT = "tts_timeout"
    TTS_UNAVAILABLE = "tts_unavailable"
    TURN_MODEL_MISSING = "turn_model_missing"
    TURN_FAILED = "turn_failed"


class SpeechError(Exception):
    """Base of the speech stage errors; ``code`` is stable, the message is for humans."""

    stage = "speech"

    def __init__(self, code: SpeechErrorCode, message: str = "") -> None:
        super().__init__(f"{code.value}: {message}" if message else code.value)
        self.code = code


class VadError(SpeechError):
    """Voice activity detection failed (model missing, bad window)."""

    stage = "vad"


class SttError(SpeechError):
    """Speech to text failed (as opposed to "not understood", which is a result)."""

    stage = "stt"


class TtsError(SpeechError):
    """Text to speech failed."""

    stage = "tts"


class TurnError(SpeechError):
    """The turn-end model failed (missing, or could not run)."""

    stage = "turn"


# --- VAD -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VadWindow:
    """One VAD decision: speech probability of ``audio`` starting at ``start_ms``.

    Times count audio samples since the stream began (never a wall clock).
    """

    probability: float
    start_ms: float
    duration_ms: float
    audio: bytes = b""

    @property
    def end_ms(self) -> float:
        """Stream time just after this window."""
        return self.start_ms + self.duration_ms


class VoiceActivityDetector(Protocol):
    """A streaming VAD for one audio stream: any chunk size in, one decision per window out."""

    @property
    def sample_rate(self) -> int:
        """Rate of the s16le audio this detector takes."""
        ...

    def process(self, pcm: bytes) -> list[VadWindow]:
        """Feed audio; return a decision for every whole window now complete."""
        ...

    def reset(self) -> None:
        """Forget state and restart the stream clock at zero."""
        ...


# --- STT -----------------------------------------------------------------------------------


class NotUnderstood(StrEnum):
    """Why a transcript is treated as "didn't catch that"."""

    EMPTY = "empty"
    TOO_SHORT = "too_short"
    NO_SPEECH = "no_speech"
    LOW_CONFIDENCE = "low_confidence"
    HALLUCINATION = "hallucination"
    REPETITIVE = "repetitive"


@dataclass(frozen=True)
class Transcript:
    """What a :class:`SpeechToText` heard in one utterance."""

    text: str
    """The recognised text, stripped; empty when nothing was understood."""
    confidence: float
    """0..1, ``exp(avg_logprob)`` for Whisper; 1.0 when the backend gives no score."""
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    audio_ms: float = 0.0
    """Duration of the audio transcribed."""
    elapsed_ms: float = 0.0
    """Time the backend took (measured by the adapter, for stage events)."""
    backend: str = ""
    raw_text: str = ""
    """The backend's text before any rejection (for logs; may be a hallucination)."""
    rejected: NotUnderstood | None = None
    """Set when the result must be answered with "didn't catch that"."""

    @property
    def understood(self) -> bool:
        """True when ``text`` can be acted on."""
        return self.rejected is None and bool(self.text)


class SpeechToText(Protocol):
    """Transcribes one complete utterance of 16 kHz s16le audio."""

    async def transcribe(self, pcm16k: bytes) -> Transcript:
        """Return what was said; raise :class:`SttError` only when the backend failed."""
        ...


# --- TTS -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TtsChunk:
    """A piece of synthesised speech: s16le at ``sample_rate``, with the text it says."""

    pcm: bytes
    sample_rate: int
    text: str = ""

    @property
    def duration_ms(self) -> float:
        """Playing time of ``pcm``."""
        return len(self.pcm) / 2 / self.sample_rate * 1000.0


@runtime_checkable
class TextToSpeech(Protocol):
    """Speaks text: chunks arrive as soon as each is ready (first sentence first)."""

    def synthesize(
        self, text: str, sample_rate: int = 16000, *, urgent: bool = False
    ) -> AsyncIterator[TtsChunk]:
        """Yield s16le chunks at ``sample_rate``; raise :class:`TtsError` on failure.

        ``urgent``: the caller hears silence until this audio comes (a reply's first words);
        a backend shared by several calls serves it before audio that is not yet needed."""
        ...


# --- turn end ------------------------------------------------------------------------------


class TurnEndModel(Protocol):
    """Judges from the audio whether the caller has finished their turn."""

    async def probability(self, pcm16k: bytes) -> float:
        """Probability (0..1) that the utterance in ``pcm16k`` (16 kHz s16le, ending in the
        pause just heard) is a finished turn; raise :class:`TurnError` on failure."""
        ...
