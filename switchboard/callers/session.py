"""Place one scripted call to the assistant and report what the caller heard, with timings.

Used by ``switchboard call``: a baresip caller speaks synthesised texts (or plays WAVs), keys
digits at given moments, records the call, and the recording is cut into the assistant's
utterances and transcribed with the local Whisper model.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from switchboard.callers.analysis import Segment, active_segments, reply_latencies, shifted
from switchboard.callers.audio import read_wav
from switchboard.callers.baresip import BaresipCaller, CallerAccount
from switchboard.callers.script import RenderedScript, Step, Synthesizer, render_script


@dataclass(frozen=True)
class CallPlan:
    """What to say and key, and where to call."""

    steps: list[Step]
    keys: list[tuple[float, str]] = field(default_factory=list)
    """(seconds after the call is answered, digits) to key."""
    target: str = "sip:+15550100@127.0.0.1:5060"
    caller_number: str = ""
    caller_address: str = "127.0.0.2"
    tail_s: float = 2.0


@dataclass
class HeardUtterance:
    """One stretch of the assistant's voice, as transcribed at the caller."""

    start_s: float
    end_s: float
    text: str


@dataclass
class CallReport:
    """What happened on the call, from the caller's side."""

    caller_number: str
    said: list[tuple[str, float, float]]
    heard: list[HeardUtterance]
    latencies_s: list[float | None]
    recording: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "caller_number": self.caller_number,
            "said": [{"text": t, "start_s": a, "end_s": b} for t, a, b in self.said],
            "heard": [vars(h) for h in self.heard],
            "reply_latency_ms": [None if x is None else round(x * 1000) for x in self.latencies_s],
            "recording": self.recording,
        }


def place_call(
    plan: CallPlan,
    workdir: Path,
    synthesize: Synthesizer,
    transcribe: Any,
) -> CallReport:
    """Run the call to its end and report (blocking)."""
    workdir.mkdir(parents=True, exist_ok=True)
    script: RenderedScript = render_script(plan.steps, workdir / "mic.wav", synthesize)
    number = plan.caller_number or f"+1555{random.randrange(10**7):07d}"
    caller = BaresipCaller(
        workdir / "baresip", CallerAccount(number, plan.caller_address), script.wav
    )
    caller.start(dial=plan.target, seconds=int(script.seconds + plan.tail_s + 30))
    try:
        caller.wait_established(20.0)
        started = time.monotonic()
        for at, digits in sorted(plan.keys):
            time.sleep(max(0.0, at - (time.monotonic() - started)))
            caller.send_dtmf(digits, 0.15)
        time.sleep(max(0.0, script.seconds + plan.tail_s - (time.monotonic() - started)))
        caller.hangup()
        time.sleep(0.5)
    finally:
        caller.stop()
    samples, rate = read_wav(caller.recording())
    offset = caller.recording_offset_s()
    segments = active_segments(samples, rate)
    heard = [
        HeardUtterance(
            round(seg.start + offset, 2),
            round(seg.end + offset, 2),
            _text(transcribe, samples, rate, seg),
        )
        for seg in segments
    ]
    said_segments = [seg for _, seg in script.utterances]
    return CallReport(
        caller_number=number,
        said=[(text, round(seg.start, 2), round(seg.end, 2)) for text, seg in script.utterances],
        heard=heard,
        latencies_s=reply_latencies(said_segments, shifted(segments, offset)),
        recording=str(caller.recording()),
    )


def _text(transcribe: Any, samples: Any, rate: int, seg: Segment) -> str:
    from ari_app.media.codec import resample

    clip = samples[int(seg.start * rate) : int(seg.end * rate)]
    pcm = (clip * 32767).astype("<i2").tobytes()
    return str(transcribe(resample(pcm, rate, 16000))).strip()
