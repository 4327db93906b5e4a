"""What a test caller says, and when: a script rendered into the caller's microphone WAV.

Steps are pauses, synthesised sentences (Piper, deterministic), line noise or existing WAVs.
Rendering returns the WAV and where each spoken step lies on the call's timeline (the
microphone starts when the call is established), so latencies can be measured against it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from switchboard.callers.analysis import Segment
from switchboard.callers.audio import Samples, read_wav, write_wav

Synthesizer = Callable[[str, int], bytes]
"""Text and a sample rate to s16le mono audio (e.g. Piper, joined chunks)."""


@dataclass(frozen=True)
class Pause:
    """Silence."""

    seconds: float


@dataclass(frozen=True)
class Speak:
    """A synthesised utterance."""

    text: str


@dataclass(frozen=True)
class Noise:
    """Telephone line noise (hiss and hum) at a level in s16 units."""

    seconds: float
    level: float = 300.0


@dataclass(frozen=True)
class PlayWav:
    """An existing mono S16LE WAV (resampled if needed)."""

    path: Path


Step = Pause | Speak | Noise | PlayWav


@dataclass(frozen=True)
class RenderedScript:
    """The microphone WAV and where each utterance is on its timeline."""

    wav: Path
    utterances: list[tuple[str, Segment]]
    seconds: float


def render_script(
    steps: list[Step], path: Path, synthesize: Synthesizer, *, rate: int = 8000
) -> RenderedScript:
    """Write ``steps`` to ``path`` as one WAV at ``rate``."""
    chunks: list[bytes] = []
    utterances: list[tuple[str, Segment]] = []
    t = 0.0
    for step in steps:
        if isinstance(step, Pause):
            pcm = bytes(2 * int(step.seconds * rate))
        elif isinstance(step, Speak):
            pcm = synthesize(step.text, rate)
            utterances.append((step.text, Segment(t, t + len(pcm) / 2 / rate)))
        elif isinstance(step, Noise):
            pcm = _noise(step.seconds, rate, step.level)
        else:
            samples, file_rate = read_wav(step.path)
            pcm = _resampled(samples, file_rate, rate)
            utterances.append((step.path.name, Segment(t, t + len(pcm) / 2 / rate)))
        chunks.append(pcm)
        t += len(pcm) / 2 / rate
    write_wav(path, b"".join(chunks), rate)
    return RenderedScript(path, utterances, t)


def _noise(seconds: float, rate: int, level: float, seed: int = 11) -> bytes:
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    hum = 0.5 * level * np.sin(2 * np.pi * 50 * np.arange(n) / rate)
    return np.clip(rng.normal(0.0, level, n) + hum, -32768, 32767).astype(np.int16).tobytes()


def _resampled(samples: Samples, src: int, dst: int) -> bytes:
    if src != dst:
        positions = np.arange(int(len(samples) * dst / src)) * src / dst
        samples = np.interp(positions, np.arange(len(samples)), samples)
    pcm: bytes = (np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes()
    return pcm
