"""Measure a call at the caller's ear: where speech is in a recording, and reply latencies.

Pure functions over float samples. Activity is found from 20 ms frame energy with a
hysteresis-free threshold, merging gaps shorter than ``min_gap_ms`` (pauses between words)
and dropping blips shorter than ``min_len_ms``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from switchboard.callers.audio import Samples


@dataclass(frozen=True)
class Segment:
    """A stretch of sound, in seconds from the start of the recording."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.end - self.start


def active_segments(
    samples: Samples,
    rate: int,
    *,
    threshold: float = 0.01,
    min_gap_ms: float = 400.0,
    min_len_ms: float = 120.0,
) -> list[Segment]:
    """Stretches whose 20 ms RMS is above ``threshold``."""
    frame = max(1, rate // 50)
    count = len(samples) // frame
    if count == 0:
        return []
    frames = samples[: count * frame].reshape(count, frame)
    loud = np.sqrt(np.mean(frames**2, axis=1)) >= threshold
    segments: list[Segment] = []
    start: int | None = None
    for i, on in enumerate(loud):
        if on and start is None:
            start = i
        elif not on and start is not None:
            segments.append(Segment(start * 0.02, i * 0.02))
            start = None
    if start is not None:
        segments.append(Segment(start * 0.02, count * 0.02))
    merged: list[Segment] = []
    for seg in segments:
        if merged and seg.start - merged[-1].end < min_gap_ms / 1000:
            merged[-1] = Segment(merged[-1].start, seg.end)
        else:
            merged.append(seg)
    return [s for s in merged if s.duration * 1000 >= min_len_ms]


def speech_within(
    samples: Samples, rate: int, segment: Segment, *, threshold: float = 0.01
) -> Segment:
    """Where the sound inside ``segment`` of a recording really is (its quiet edges trimmed).

    A synthesised utterance carries 0–60 ms of silence before the first word and 150–300 ms
    after the last; the caller stopped *speaking* at the trimmed end, which is where
    voice-to-voice latency starts. The whole ``segment`` comes back when it is all quiet.
    """
    first = max(0, int(segment.start * rate))
    last = min(len(samples), int(segment.end * rate))
    found = active_segments(samples[first:last], rate, threshold=threshold, min_len_ms=0.0)
    if not found:
        return segment
    return Segment(segment.start + found[0].start, segment.start + found[-1].end)


def reply_latencies(caller: list[Segment], heard: list[Segment]) -> list[float | None]:
    """For each caller utterance: seconds from its end to the next heard audio (None: none)."""
    out: list[float | None] = []
    for i, said in enumerate(caller):
        limit = caller[i + 1].start if i + 1 < len(caller) else float("inf")
        reply = next((h for h in heard if said.end <= h.start < limit), None)
        out.append(None if reply is None else round(reply.start - said.end, 3))
    return out


def stop_reaction(heard: list[Segment], interruption_start: float) -> float | None:
    """Seconds from the caller starting to speak to the assistant's audio stopping.

    The heard segment playing when the interruption began must end; None when nothing was
    playing then.
    """
    for seg in heard:
        if seg.start <= interruption_start < seg.end:
            return round(seg.end - interruption_start, 3)
    return None


def shifted(segments: list[Segment], offset_s: float) -> list[Segment]:
    """The same segments moved ``offset_s`` later (onto another recording's timeline)."""
    return [Segment(s.start + offset_s, s.end + offset_s) for s in segments]
