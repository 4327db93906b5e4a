"""Silero VAD (v5/v6 ONNX) on onnxruntime, with no torch.

The model file ships inside the ``silero-vad`` wheel (installed with ``--no-deps``); it is
found with :func:`importlib.util.find_spec`, which does not run the package (importing
``silero_vad`` would import torch).

One :class:`SileroVadModel` (one ONNX session, loaded once) serves every call: the recurrent
state lives in each :class:`SileroVadStream`, so streams never mix. A stream takes s16le
chunks of any size and returns one :class:`~ari_app.speech.ports.VadWindow` per model window:
512 samples (32 ms) at 16 kHz with 64 samples of context, 256 samples (32 ms) at 8 kHz with 32.
Cost is tens of microseconds per window, so streams run inline on the event loop.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from ari_app.media.codec import pcm16_to_float32
from ari_app.speech.ports import SpeechErrorCode, VadError, VadWindow

_WINDOW: Final = {16000: 512, 8000: 256}
_CONTEXT: Final = {16000: 64, 8000: 32}
_STATE_SHAPE: Final = (2, 1, 128)


def silero_model_path() -> Path:
    """Path of ``silero_vad/data/silero_vad.onnx`` from the installed wheel."""
    spec = importlib.util.find_spec("silero_vad")
    if spec is None or not spec.submodule_search_locations:
        raise VadError(
            SpeechErrorCode.VAD_MODEL_MISSING,
            "silero-vad is not installed (pip install --no-deps silero-vad==6.2.3)",
        )
    for location in spec.submodule_search_locations:
        path = Path(location) / "data" / "silero_vad.onnx"
        if path.is_file():
            return path
    raise VadError(SpeechErrorCode.VAD_MODEL_MISSING, "silero_vad.onnx not found in the wheel")


class SileroVadModel:
    """The Silero ONNX session, shared by all streams (onnxruntime's run is thread-safe)."""

    def __init__(self, session: Any) -> None:
        self._session = session

    @classmethod
    def load(cls, path: Path | None = None, threads: int = 1) -> SileroVadModel:
        """Load the model (default: from the silero-vad wheel) on ``threads`` CPU threads."""
        import onnxruntime as ort

        model = path or silero_model_path()
        if not model.is_file():
            raise VadError(SpeechErrorCode.VAD_MODEL_MISSING, str(model))
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        session = ort.InferenceSession(
            str(model), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        return cls(session)

    def stream(self, sample_rate: int = 16000) -> SileroVadStream:
        """A new stream (its own state and clock) at 8000 or 16000 Hz."""
        return SileroVadStream(self, sample_rate)

    def infer(
        self, frame: npt.NDArray[np.float32], state: npt.NDArray[np.float32], sample_rate: int
    ) -> tuple[float, npt.NDArray[np.float32]]:
        """One step: ``frame`` is context + window (float32); returns (probability, state)."""
        try:
            out, new_state = self._session.run(
                None,
                {
                    "input": frame.reshape(1, -1),
                    "state": state,
                    "sr": np.array(sample_rate, dtype=np.int64),
                },
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise VadError(SpeechErrorCode.VAD_FAILED, str(exc)) from exc
        return float(out[0][0]), np.asarray(new_state, dtype=np.float32)


class SileroVadStream:
    """Streaming VAD for one audio stream; implements ``VoiceActivityDetector``."""

    def __init__(self, model: SileroVadModel, sample_rate: int = 16000) -> None:
        if sample_rate not in _WINDOW:
            raise VadError(
                SpeechErrorCode.VAD_BAD_AUDIO, f"Silero takes 8000 or 16000 Hz, not {sample_rate}"
            )
        self._model = model
        self._rate = sample_rate
        self.window_samples = _WINDOW[sample_rate]
        self.context_samples = _CONTEXT[sample_rate]
        self.reset()

    @property
    def sample_rate(self) -> int:
        """Rate of the s16le audio this stream takes."""
        return self._rate

    @property
    def window_ms(self) -> float:
        """Duration of one decision window (32 ms)."""
        return self.window_samples * 1000.0 / self._rate

    def reset(self) -> None:
        """Forget the recurrent state, the context and any partial window; clock to zero."""
        self._state = np.zeros(_STATE_SHAPE, dtype=np.float32)
        self._context = np.zeros(self.context_samples, dtype=np.float32)
        self._buf = bytearray()
        self._samples_done = 0

    def probability(self, window: bytes) -> float:
        """Speech probability of exactly one window of s16le audio (advances the state)."""
        if len(window) != self.window_samples * 2:
            raise VadError(
                SpeechErrorCode.VAD_BAD_AUDIO,
                f"window must be {self.window_samples * 2} bytes, got {len(window)}",
            )
        samples = pcm16_to_float32(window)
        frame = np.concatenate([self._context, samples])
        prob, self._state = self._model.infer(frame, self._state, self._rate)
        self._context = samples[-self.context_samples :]
        self._samples_done += self.window_samples
        return prob

    def process(self, pcm: bytes) -> list[VadWindow]:
        """Feed any amount of s16le audio; return a decision per whole window completed."""
        if len(pcm) % 2:
            raise VadError(SpeechErrorCode.VAD_BAD_AUDIO, "odd number of bytes")
        self._buf += pcm
        size = self.window_samples * 2
        out: list[VadWindow] = []
        while len(self._buf) >= size:
            window = bytes(self._buf[:size])
            del self._buf[:size]
            start_ms = self._samples_done * 1000.0 / self._rate
            prob = self.probability(window)
            out.append(VadWindow(prob, start_ms, self.window_ms, window))
        return out
