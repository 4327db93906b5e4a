"""A scripted VAD that follows ``VoiceActivityDetector``: probability from sample values."""

from __future__ import annotations

import numpy as np

from ari_app.speech.ports import VadWindow


class FakeVad:
    """Windows of 32 ms; a window is "speech" (0.9) when its mean |sample| exceeds 1000."""

    def __init__(self, sample_rate: int = 16000) -> None:
        self._rate = sample_rate
        self._size = sample_rate * 32 // 1000 * 2
        self.reset()

    @property
    def sample_rate(self) -> int:
        return self._rate

    def reset(self) -> None:
        self._buf = b""
        self._done = 0

    def process(self, pcm: bytes) -> list[VadWindow]:
        self._buf += pcm
        out = []
        while len(self._buf) >= self._size:
            w, self._buf = self._buf[: self._size], self._buf[self._size :]
            loud = float(np.mean(np.abs(np.frombuffer(w, dtype="<i2").astype(float)))) > 1000
            start = self._done / 2 / self._rate * 1000
            self._done += len(w)
            out.append(VadWindow(0.9 if loud else 0.05, start, 32.0, w))
        return out


def tone(ms: int, rate: int = 16000) -> bytes:
    return (np.ones(rate * ms // 1000) * 3000).astype("<i2").tobytes()


def quiet(ms: int, rate: int = 16000) -> bytes:
    return bytes(rate * ms // 1000 * 2)
