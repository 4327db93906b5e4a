"""Where the caller spoke and what the caller heard, on the caller's microphone timeline.

Two sources: the RTP captured at the caller's socket (:mod:`switchboard.callers.wire`, one
real clock, preferred) or baresip's recordings aligned by their lengths (no privileges
needed, but its "heard" file drifts when frames are dropped or bunched; see the wire module).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from switchboard.callers.analysis import Segment, active_segments, shifted, speech_within
from switchboard.callers.audio import Samples, read_wav
from switchboard.callers.baresip import BaresipCaller
from switchboard.callers.wire import WirePacket, wire_audio

WIRE_RATE = 8000
_SEARCH_MARGIN_S = 0.1
"""How far around a scripted utterance its sound is looked for on the wire (packetisation
and scheduling move it by a frame or two)."""


@dataclass(frozen=True)
class CallerTimeline:
    """The caller's side of one call, in seconds from the microphone's start."""

    heard: list[Segment]
    """Stretches of assistant audio reaching the caller."""
    spoken_audio: Samples
    """What the caller's microphone sent, on the same timeline."""
    rate: int
    source: str
    """"wire" (captured RTP) or "recording" (baresip's files)."""
    origin: float | None = None
    """Wall-clock time (CLOCK_REALTIME) of the microphone's start, when known (wire)."""

    def spoken(self, scripted: list[Segment]) -> list[Segment]:
        """The scripted utterances trimmed to where their sound really is."""
        margin = _SEARCH_MARGIN_S if self.source == "wire" else 0.0
        return [
            speech_within(
                self.spoken_audio,
                self.rate,
                Segment(max(0.0, seg.start - margin), seg.end + margin),
            )
            for seg in scripted
        ]


def timeline_from_wire(packets: list[WirePacket]) -> CallerTimeline | None:
    """The timeline from captured RTP; None when the caller sent nothing (no call)."""
    sent = [p.at for p in packets if p.sent_by_caller]
    if not sent:
        return None
    origin = min(sent)  # the microphone's first frame
    heard_audio = wire_audio(packets, sent_by_caller=False, origin=origin, rate=WIRE_RATE)
    return CallerTimeline(
        heard=active_segments(heard_audio, WIRE_RATE),
        spoken_audio=wire_audio(packets, sent_by_caller=True, origin=origin, rate=WIRE_RATE),
        rate=WIRE_RATE,
        source="wire",
        origin=origin,
    )


def timeline_from_recordings(caller: BaresipCaller, mic_wav: Path) -> CallerTimeline:
    """The timeline from baresip's "heard" recording and the microphone WAV."""
    samples, rate = read_wav(caller.recording())
    mic, mic_rate = read_wav(mic_wav)
    return CallerTimeline(
        heard=shifted(active_segments(samples, rate), caller.recording_offset_s()),
        spoken_audio=mic,
        rate=mic_rate,
        source="recording",
    )
