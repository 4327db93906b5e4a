"""What a test caller says, and when: a script rendered into the caller's microphone WAV.

Steps are pauses, synthesised sentences (Piper, deterministic), hesitant requests (pieces of
one sentence with pauses between them, one utterance on the timeline), coughs, line noise or
existing WAVs.
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
class Hesitant:
    """One request said with pauses: texts and pauses (seconds) in turn, e.g.
    ``("I need to add,", 0.6, "um,", 0.4, "milk to my list.")``.

    ``whole``: the sentence is synthesised in one go, so its voice carries on across each
    pause as a speaker's does (rising or level at the commas), and the pauses Piper makes at
    the commas are stretched to the given lengths. Otherwise each piece is synthesised on its
    own and so ends with a falling, finished-sounding voice."""

    parts: tuple[str | float, ...]
    whole: bool = True

    @property
    def text(self) -> str:
        """The whole request as words."""
        return " ".join(p for p in self.parts if isinstance(p, str))


@dataclass(frozen=True)
class Cough:
    """A cough: a voiced burst into breathy noise, about ``seconds`` long."""

    seconds: float = 0.35
    level: float = 9000.0


@dataclass(frozen=True)
class Noise:
    """Telephone line noise (hiss and hum) at a level in s16 units."""

    seconds: float
    level: float = 300.0


@dataclass(frozen=True)
class PlayWav:
    """An existing mono S16LE WAV (resampled if needed)."""

    path: Path


Step = Pause | Speak | Hesitant | Cough | Noise | PlayWav


@dataclass(frozen=True)
class RenderedScript:
    """The microphone WAV and where each utterance is on its timeline."""

    wav: Path
    utterances: list[tuple[str, Segment]]
    seconds: float
    placed: list[tuple[Step, Segment]]
    """Every step but pauses, with where it lies (noise included)."""


def render_script(
    steps: list[Step], path: Path, synthesize: Synthesizer, *, rate: int = 8000
) -> RenderedScript:
    """Write ``steps`` to ``path`` as one WAV at ``rate``."""
    chunks: list[bytes] = []
    utterances: list[tuple[str, Segment]] = []
    placed: list[tuple[Step, Segment]] = []
    t = 0.0
    for step in steps:
        if isinstance(step, Pause):
            pcm = bytes(2 * int(step.seconds * rate))
        elif isinstance(step, Speak):
            pcm = synthesize(step.text, rate)
            utterances.append((step.text, Segment(t, t + len(pcm) / 2 / rate)))
        elif isinstance(step, Hesitant):
            pcm = _hesitant(step, synthesize, rate)
            utterances.append((step.text, Segment(t, t + len(pcm) / 2 / rate)))
        elif isinstance(step, Cough):
            pcm = cough(step.seconds, rate, step.level)
            utterances.append(("(cough)", Segment(t, t + len(pcm) / 2 / rate)))
        elif isinstance(step, Noise):
            pcm = _noise(step.seconds, rate, step.level)
        else:
            samples, file_rate = read_wav(step.path)
            pcm = _resampled(samples, file_rate, rate)
            utterances.append((step.path.name, Segment(t, t + len(pcm) / 2 / rate)))
        chunks.append(pcm)
        if not isinstance(step, Pause):
            placed.append((step, Segment(t, t + len(pcm) / 2 / rate)))
        t += len(pcm) / 2 / rate
    write_wav(path, b"".join(chunks), rate)
    return RenderedScript(path, utterances, t, placed)


def cough(seconds: float, rate: int, level: float, seed: int = 5) -> bytes:
    """A synthetic cough: a glottal burst (pulses at ~150 Hz) into breathy, band-limited noise,
    fast attack and exponential decay (what a VAD meets when a caller coughs)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    noise = np.convolve(rng.normal(0.0, 1.0, n), np.ones(3) / 3, mode="same")
    voiced = np.sign(np.sin(2 * np.pi * 150 * t)) * (t < 0.08)
    envelope = np.minimum(1.0, t / 0.01) * np.exp(-t / (seconds / 3))
    wave = level * envelope * (0.7 * noise + 0.5 * voiced)
    return np.clip(wave, -32768, 32767).astype(np.int16).tobytes()


def _hesitant(step: Hesitant, synthesize: Synthesizer, rate: int) -> bytes:
    pauses = [p for p in step.parts if isinstance(p, float)]
    if step.whole:
        return stretch_pauses(_trimmed(synthesize(step.text, rate)), rate, pauses)
    return b"".join(
        bytes(2 * int(p * rate)) if isinstance(p, float) else _trimmed(synthesize(p, rate))
        for p in step.parts
    )


def stretch_pauses(pcm: bytes, rate: int, pauses: list[float], threshold: int = 300) -> bytes:
    """Lengthen the ``len(pauses)`` longest quiet gaps inside speech to ``pauses`` seconds (in
    order of time): Piper's pauses at commas become a speaker's hesitations."""
    samples = np.frombuffer(pcm, dtype="<i2")
    frame = rate // 100
    count = len(samples) // frame
    if not pauses or count == 0:
        return pcm
    loud = np.abs(samples[: count * frame].reshape(count, frame)).max(axis=1) >= threshold
    gaps: list[tuple[int, int]] = []  # (start frame, end frame) of quiet runs inside speech
    start = None
    for i, on in enumerate(loud):
        if not on and start is None and i > 0:
            start = i
        elif on and start is not None:
            gaps.append((start, i))
            start = None
    chosen = sorted(sorted(gaps, key=lambda g: g[0] - g[1])[: len(pauses)])
    out: list[bytes] = []
    pos = 0
    for (first, last), pause in zip(chosen, pauses, strict=False):
        out.append(samples[pos : first * frame].tobytes())
        out.append(bytes(2 * max(int(pause * rate), (last - first) * frame)))
        pos = last * frame
    out.append(samples[pos:].tobytes())
    return b"".join(out)


def _trimmed(pcm: bytes, threshold: int = 300) -> bytes:
    """Synthesised speech without its quiet tail (a hesitation's pause is the script's own)."""
    samples = np.frombuffer(pcm, dtype="<i2")
    loud = np.flatnonzero(np.abs(samples) >= threshold)
    return pcm if loud.size == 0 else samples[: int(loud[-1]) + 1].tobytes()


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
