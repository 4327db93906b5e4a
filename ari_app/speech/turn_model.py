"""Smart Turn v3.2 on onnxruntime: "has the caller finished?" from the sound of the words.

The model (Daily's, BSD-2-Clause; 8.7 MB) is taken out of the pinned ``pipecat-ai`` wheel at
install time by :mod:`ari_app.speech.turn_model_install` into the model cache; pipecat itself
is neither installed nor imported. It reads the last 8 s of 16 kHz audio as Whisper log-mel
features (80 × 800; faster-whisper's extractor computes the same features as pipecat's own
numpy port, within 2e-7) and answers the probability that the turn is complete. Shorter audio
is padded with silence at the start; the waveform is normalised to zero mean and unit
variance first, as the model was trained.

One :class:`SmartTurnModel` (one ONNX session, one thread) serves every call; decisions are
queued on its own :class:`~ari_app.speech.workers.InferenceWorker` (~40 ms each here).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ari_app.media.codec import pcm16_to_float32
from ari_app.speech.ports import STT_SAMPLE_RATE, SpeechErrorCode, TurnError
from ari_app.speech.turn_model_install import INSTALL_HINT, MODEL_DIR, MODEL_FILE, model_ready
from ari_app.speech.workers import InferenceWorker

WINDOW_S = 8
"""Seconds of audio the model reads (the end of the utterance)."""


def smart_turn_path(cache_dir: Path) -> Path:
    """The installed model file under the model cache; :class:`TurnError` when missing."""
    folder = cache_dir / MODEL_DIR
    if not model_ready(folder):
        raise TurnError(
            SpeechErrorCode.TURN_MODEL_MISSING,
            f"the turn-end model is not installed in {folder}: {INSTALL_HINT}",
        )
    return folder / MODEL_FILE


def model_input(pcm16k: bytes, extractor: Any) -> np.ndarray:
    """The model's input (1, 80, 800) for an utterance: its last 8 s, left-padded, normalised."""
    audio = pcm16_to_float32(pcm16k)
    size = WINDOW_S * STT_SAMPLE_RATE
    audio = audio[-size:]
    if audio.size < size:
        audio = np.pad(audio, (size - audio.size, 0))
    audio = (audio - audio.mean()) / np.sqrt(audio.var() + 1e-7)
    features = extractor(audio, padding=0)[:, : WINDOW_S * 100]
    return np.ascontiguousarray(features[None].astype(np.float32))


class SmartTurnModel:
    """Implements ``TurnEndModel`` with the Smart Turn v3.2 ONNX model."""

    backend = "smart-turn-v3.2"

    def __init__(self, session: Any) -> None:
        from faster_whisper.feature_extractor import FeatureExtractor

        self._session = session
        self._extractor = FeatureExtractor(feature_size=80, chunk_length=WINDOW_S)
        self.worker = InferenceWorker("smart-turn")

    @classmethod
    def load(cls, path: Path, threads: int = 1) -> SmartTurnModel:
        """Load the model file on ``threads`` CPU threads."""
        import onnxruntime as ort

        if not path.is_file():
            raise TurnError(SpeechErrorCode.TURN_MODEL_MISSING, f"{path}: {INSTALL_HINT}")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.log_severity_level = 3
        try:
            session = ort.InferenceSession(
                str(path), sess_options=opts, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise TurnError(SpeechErrorCode.TURN_MODEL_MISSING, str(exc)) from exc
        return cls(session)

    def probability_sync(self, pcm16k: bytes) -> float:
        """Blocking: the probability that ``pcm16k`` ends a finished turn."""
        if len(pcm16k) % 2:
            raise TurnError(SpeechErrorCode.TURN_FAILED, "odd number of bytes")
        features = model_input(pcm16k, self._extractor)
        try:
            (out,) = self._session.run(None, {"input_features": features})
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise TurnError(SpeechErrorCode.TURN_FAILED, str(exc)) from exc
        return float(np.asarray(out).ravel()[0])

    async def probability(self, pcm16k: bytes) -> float:
        """The probability, computed on the model's worker thread."""
        return await self.worker.run(self.probability_sync, pcm16k)
