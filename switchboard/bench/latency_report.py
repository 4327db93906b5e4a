"""The latency bench's results: percentiles per stage, barge-in reactions by opening, the
filler and the first real sentence apart, and the text report. Pure: rows in, a result out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from switchboard.bench.calls import percentile
from switchboard.callers.baresip import BARESIP_JITTER_FRAMES
from switchboard.settings import Settings

if TYPE_CHECKING:
    from switchboard.bench.latency import LatencyBenchConfig

INTERRUPTIONS = (
    "Stop. Tell me a long story again.",
    "Wait, tell me a long story again.",
    "No, tell me a long story again.",
    "Hold on, tell me a long story again.",
    "Actually, tell me a long story again.",
)
"""How callers cut in, taken in turn. The first sound matters: Silero hears the vowel of
"wait" or "no" 60-90 ms after it starts but the /s/ of "stop" only ~170 ms in."""
STAGES = (
    "endpointing_ms",
    "stt_ms",
    "agent_first_sentence_ms",
    "tts_first_audio_ms",
    "speech_end_to_first_audio_ms",
    "vad_end_to_first_audio_ms",
    "transport_ms",
    "caller_clip_end_ms",
)
"""Per-turn figures summarised. ``endpointing_ms``: VAD's last speech window → end decided;
``vad_end_to_first_audio_ms``: VAD's last speech window → first reply audio sent (app side);
``transport_ms``: voice-to-voice at the caller minus that (the caller's speech tail as the VAD
hears it, the network and Asterisk both ways, the caller's jitter buffer, the reply's leading
silence); ``caller_clip_end_ms``: latency from the end of the caller's synthesised clip, its
trailing silence included (the figure this bench printed before it measured from the end of
speech)."""


def _by_opening(reactions: list[float | None]) -> dict[str, float | None]:
    """p50 barge-in reaction (ms) per interruption phrase, named by its first word."""
    groups: dict[str, list[float]] = {}
    for i, reaction in enumerate(reactions):
        word = INTERRUPTIONS[i % len(INTERRUPTIONS)].split()[0].strip(".,").lower()
        if reaction is not None:
            groups.setdefault(word, []).append(1000 * reaction)
    return {word: rounded(percentile(values, 50)) for word, values in groups.items()}


def summarise(
    rows: list[dict[str, Any]],
    reactions: list[float | None],
    config: LatencyBenchConfig,
    settings: Settings,
) -> dict[str, Any]:
    """p50/p95 of caller-measured latency, of each stage, and of barge-in reaction."""
    caller = [float(r["caller_ms"]) for r in rows if r.get("caller_ms") is not None]
    result: dict[str, Any] = {
        "agent": settings.call.agent,
        "concurrency": config.concurrency,
        "caller_jitter_buffer_frames": list(config.caller_jitter_buffer or BARESIP_JITTER_FRAMES),
        "turns_asked": len(rows),
        "turns_answered": len(caller),
        "voice_to_voice_ms_p50": rounded(percentile(caller, 50)),
        "voice_to_voice_ms_p95": rounded(percentile(caller, 95)),
        "stages_ms_p50": {},
        "stages_ms_p95": {},
    }
    for stage in STAGES:
        values = [float(r[stage]) for r in rows if isinstance(r.get(stage), int | float)]
        result["stages_ms_p50"][stage] = rounded(percentile(values, 50))
        result["stages_ms_p95"][stage] = rounded(percentile(values, 95))
    measured = [1000 * r for r in reactions if r is not None]
    result["barge_ins_asked"] = len(reactions)
    result["barge_ins_measured"] = len(measured)
    result["barge_in_reaction_ms_p50"] = rounded(percentile(measured, 50))
    result["barge_in_reaction_ms_p95"] = rounded(percentile(measured, 95))
    result["barge_in_reaction_ms_by_opening"] = _by_opening(reactions)
    result["barge_in_reactions_ms"] = [None if r is None else rounded(1000 * r) for r in reactions]
    result |= _filler_and_sentence(rows)
    result["turn_rows"] = [
        {k: r.get(k) for k in ("caller_text", "caller_ms", *STAGES) if r.get(k) is not None}
        for r in rows
    ]
    return result


def _filler_and_sentence(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """At the caller: time to the "one moment" filler (turns that had one first) and time to
    the first real sentence (every answered turn), p50/p95."""
    fillers: list[float] = []
    sentences: list[float] = []
    for r in rows:
        caller = r.get("caller_ms")
        if caller is None:
            continue
        if r.get("filler_first"):
            fillers.append(float(caller))
        later = r.get("sentence_after_first_audio_ms")
        if isinstance(later, int | float):
            sentences.append(float(caller) + max(0.0, float(later)))
    return {
        "turns_with_filler": len(fillers),
        "time_to_filler_ms_p50": rounded(percentile(fillers, 50)),
        "time_to_filler_ms_p95": rounded(percentile(fillers, 95)),
        "time_to_first_sentence_ms_p50": rounded(percentile(sentences, 50)),
        "time_to_first_sentence_ms_p95": rounded(percentile(sentences, 95)),
    }


def rounded(value: float | None) -> float | None:
    """A figure to one decimal (None stays None)."""
    return None if value is None else round(value, 1)


def format_latency(result: Mapping[str, Any]) -> str:
    """Human-readable lines for the figures."""
    p50, p95 = result["stages_ms_p50"], result["stages_ms_p95"]
    stages = "\n".join(f"  {name:30} p50 {p50[name]} ms, p95 {p95[name]} ms" for name in p50)
    return (
        f"measured at the {result['measured_at']}\n"
        f"agent {result['agent']}, {result['concurrency']} conversation(s) at once, callers' "
        f"jitter buffer {'-'.join(map(str, result['caller_jitter_buffer_frames']))} frames\n"
        f"voice-to-voice at the caller: p50 {result['voice_to_voice_ms_p50']} ms, "
        f"p95 {result['voice_to_voice_ms_p95']} ms "
        f"({result['turns_answered']}/{result['turns_asked']} turns answered)\n"
        f"per stage (app side):\n{stages}\n"
        f"barge-in reaction at the caller: p50 {result['barge_in_reaction_ms_p50']} ms, "
        f"p95 {result['barge_in_reaction_ms_p95']} ms "
        f"({result['barge_ins_measured']}/{result['barge_ins_asked']} measured); "
        f"detected in the app after p50 {result.get('barge_in_detected_ms_p50')} ms\n"
        f"barge-in p50 by first word: {result.get('barge_in_reaction_ms_by_opening')}\n"
        f"first real sentence at the caller: p50 {result['time_to_first_sentence_ms_p50']} ms, "
        f"p95 {result['time_to_first_sentence_ms_p95']} ms; the filler came first in "
        f"{result['turns_with_filler']} turns (p50 {result['time_to_filler_ms_p50']} ms, "
        f"p95 {result['time_to_filler_ms_p95']} ms)" + _turntaking_lines(result)
    )


def _turntaking_lines(result: Mapping[str, Any]) -> str:
    lines = ""
    if "hesitant_requests" in result:
        lines += (
            f"\nhesitant requests: {result['hesitant_requests']}, cut off "
            f"{result['cut_off_rate']} % (ended early {result['ended_early_rate']} %, "
            f"talked over {result['talked_over_rate']} %), "
            f"voice-to-voice p50 {result['hesitant_voice_to_voice_ms_p50']} ms"
        )
    if "resume_tries" in result:
        lines += (
            f"\ncoughs/backchannels/noise/stop over answers: {result['resume_tries']}, resumed "
            f"and finished {result['resume_rate']} % ({result['resume_by_kind']})"
        )
    return lines
