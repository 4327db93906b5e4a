"""Vosk (Kaldi) STT with a user-supplied model directory; streaming-capable.

No English Vosk model can be installed from a package registry, so the model directory is
configured (``speech.vosk_model_dir``, e.g. ``vosk-model-small-en-us-0.15`` downloaded by the
user). ``vosk`` itself is optional: ``pip install vosk==0.3.45``.

:meth:`VoskStt.transcribe` handles one complete utterance like the other backends;
:meth:`VoskStt.stream` gives a recogniser that takes audio while the caller speaks, so the
final text is ready ~20–50 ms after the end of speech.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

from ari_app.speech.ports import (
    STT_SAMPLE_RATE,
    NotUnderstood,
    SpeechErrorCode,
    SttError,
    Transcript,
)


def _transcript(result: dict[str, Any], audio_ms: float, elapsed_ms: float) -> Transcript:
    text = str(result.get("text", "")).strip()
    words = result.get("result") or []
    confs = [float(w.get("conf", 1.0)) for w in words if isinstance(w, dict)]
    confidence = sum(confs) / len(confs) if confs else (1.0 if text else 0.0)
    return Transcript(
        text=text,
        confidence=confidence,
        audio_ms=audio_ms,
        elapsed_ms=elapsed_ms,
        backend="vosk",
        raw_text=text,
        rejected=None if text else NotUnderstood.EMPTY,
    )


class VoskStream:
    """One utterance being recognised incrementally (not thread-safe)."""

    def __init__(self, model: Any, sample_rate: int) -> None:
        from vosk import KaldiRecognizer

        self._rec = KaldiRecognizer(model, sample_rate)
        self._rec.SetWords(True)
        self._rate = sample_rate
        self._bytes = 0

    def accept(self, pcm: bytes) -> str:
        """Feed audio; return the current partial text."""
        self._bytes += len(pcm)
        if self._rec.AcceptWaveform(pcm):
            return str(json.loads(self._rec.Result()).get("text", ""))
        return str(json.loads(self._rec.PartialResult()).get("partial", ""))

    def final(self) -> Transcript:
        """End of the utterance: the final transcript."""
        start = time.perf_counter()
        result = json.loads(self._rec.FinalResult())
        audio_ms = self._bytes / 2 / self._rate * 1000.0
        return _transcript(result, audio_ms, (time.perf_counter() - start) * 1000.0)


class VoskStt:
    """Implements ``SpeechToText`` with a Vosk model (shared by every call)."""

    backend = "vosk"

    def __init__(self, model: Any) -> None:
        self._model = model

    @classmethod
    def load(cls, model_dir: Path | None) -> VoskStt:
        """Load the model in ``model_dir``; raise :class:`SttError` when it is unusable."""
        if model_dir is None or not Path(model_dir).is_dir():
            raise SttError(
                SpeechErrorCode.STT_MODEL_MISSING,
                f"set speech.vosk_model_dir to a Vosk model directory (got {model_dir})",
            )
        try:
            from vosk import Model, SetLogLevel
        except ImportError as exc:
            raise SttError(SpeechErrorCode.STT_MODEL_MISSING, "pip install vosk==0.3.45") from exc
        SetLogLevel(-1)
        try:
            return cls(Model(str(model_dir)))
        except Exception as exc:  # vosk raises a bare Exception on a bad model
            raise SttError(SpeechErrorCode.STT_MODEL_MISSING, str(exc)) from exc

    def stream(self, sample_rate: int = STT_SAMPLE_RATE) -> VoskStream:
        """A streaming recogniser for one utterance (8 kHz works without resampling)."""
        return VoskStream(self._model, sample_rate)

    def transcribe_sync(self, pcm16k: bytes) -> Transcript:
        """Blocking transcription of one complete 16 kHz utterance."""
        start = time.perf_counter()
        stream = self.stream(STT_SAMPLE_RATE)
        stream.accept(pcm16k)
        result = stream.final()
        elapsed = (time.perf_counter() - start) * 1000.0
        return _transcript(
            {"text": result.text, "result": [{"conf": result.confidence}] if result.text else []},
            result.audio_ms,
            elapsed,
        )

    async def transcribe(self, pcm16k: bytes) -> Transcript:
        """Transcribe in a worker thread."""
        return await asyncio.to_thread(self.transcribe_sync, pcm16k)
