"""Small audio helpers for callers and checks: WAV files, tones, levels and pitch."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float64]


def write_tone_wav(
    path: Path, freq_hz: float, seconds: float, *, rate: int = 8000, amplitude: float = 0.25
) -> Path:
    """Write a mono S16LE sine tone (a caller's "microphone")."""
    t = np.arange(int(seconds * rate)) / rate
    samples = (amplitude * 32767 * np.sin(2 * np.pi * freq_hz * t)).astype("<i2")
    write_wav(path, samples.tobytes(), rate)
    return path


def write_silence_wav(path: Path, seconds: float, *, rate: int = 8000) -> Path:
    """Write mono S16LE silence."""
    write_wav(path, bytes(2 * int(seconds * rate)), rate)
    return path


def write_wav(path: Path, pcm16: bytes, rate: int) -> None:
    """Write mono S16LE PCM to a WAV file."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm16)


def read_wav(path: Path) -> tuple[Samples, int]:
    """Read a mono S16LE WAV as floats in [-1, 1] and its sample rate."""
    with wave.open(str(path), "rb") as src:
        rate = src.getframerate()
        data = src.readframes(src.getnframes())
    return pcm16_to_float(data), rate


def pcm16_to_float(pcm16: bytes) -> Samples:
    """S16LE bytes to floats in [-1, 1]."""
    usable = len(pcm16) - len(pcm16) % 2
    return np.frombuffer(pcm16[:usable], dtype="<i2").astype(np.float64) / 32768.0


def rms(samples: Samples) -> float:
    """Root-mean-square level of a signal (0 for an empty one)."""
    return float(np.sqrt(np.mean(samples**2))) if len(samples) else 0.0


def dominant_frequency(samples: Samples, rate: int) -> float:
    """The frequency (Hz) with the most energy, from a windowed FFT."""
    if len(samples) < 16:
        return 0.0
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    spectrum[0] = 0.0
    return float(np.argmax(spectrum) * rate / len(samples))


def tone_seconds(
    samples: Samples,
    rate: int,
    freq_hz: float,
    *,
    tolerance_hz: float = 15.0,
    min_rms: float = 0.02,
) -> float:
    """How many seconds of ``samples`` (in 100 ms windows) carry ``freq_hz`` as their pitch."""
    window = rate // 10
    hits = 0
    for start in range(0, len(samples) - window + 1, window):
        chunk = samples[start : start + window]
        if rms(chunk) >= min_rms and abs(dominant_frequency(chunk, rate) - freq_hz) <= tolerance_hz:
            hits += 1
    return hits * 0.1
