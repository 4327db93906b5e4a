"""``switchboard bench latency``: voice-to-voice latency measured at the caller.

Real baresip callers speak scripted requests (Piper voice) through the dev PBX to the app
running in this process. At the caller: end of the caller's speech → first audio of the
answer (p50/p95), joined with the app's stage events for the per-stage breakdown. Barge-in
calls interrupt a long answer and measure caller starts speaking → assistant audio stops.
``--concurrency`` runs several conversations at once. ``--hesitations N`` adds a call whose
caller says N requests in pieces (the cut-off rate) and ``--resumes N`` one that coughs, says
"mm-hmm" or "stop." or crackles over long answers N times (the resume rate); see
:mod:`switchboard.bench.turntaking`. With the real agent, the first audio is often the "one
moment" filler: time to the filler and time to the first real sentence are reported apart.

"At the caller" is the caller's socket: the RTP both ways is captured on loopback with kernel
timestamps (:mod:`switchboard.callers.wire`; needs root), so both directions share one clock.
Without that privilege the bench falls back to baresip's recordings, whose "heard" file
drifts against the microphone by up to a few hundred ms over a long call (dropped or bunched
frames), which inflates early events; ``measured_at`` in the result says which was used.
A handset adds its packetisation (20 ms) and its jitter buffer to both figures.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ari_app.app import SwitchboardApp
from switchboard.bench.calls import percentile
from switchboard.bench.latency_report import INTERRUPTIONS, rounded, summarise
from switchboard.bench.pbx import pbx_for_bench
from switchboard.bench.turntaking import (
    clock_offset,
    disturbance_names,
    disturbance_segments,
    hesitation_steps,
    judge_hesitations,
    judge_resumes,
    resume_steps,
    stage_times,
)
from switchboard.callers.analysis import reply_latencies, stop_reaction
from switchboard.callers.baresip import BaresipCaller, CallerAccount
from switchboard.callers.script import Pause, RenderedScript, Speak, Step, render_script
from switchboard.callers.timeline import (
    CallerTimeline,
    timeline_from_recordings,
    timeline_from_wire,
)
from switchboard.callers.wire import WireCapture, can_capture
from switchboard.settings import Settings

REQUESTS = (
    "Add buy milk to my to do list.",
    "What is on my calendar tomorrow?",
    "Remind me to call the bank at nine.",
    "Assign the code review to John in the dev team.",
    "Book a meeting with Sarah on Friday at three.",
    "What do I have due this week?",
    "Mark the milk task as done.",
    "Which departments can I reach?",
)
AGENT_REQUESTS = (*REQUESTS[:-1], "Add call the plumber to my to do list.")
"""``--agent langgraph``: every request needs the model ("Which departments can I reach?"
is answered by a tool the router picks alone, in under a second, so it is left out)."""
MEASURED_AT = {"wire": "caller socket (captured RTP)", "recording": "caller recording"}
"""How each timeline source is named in the results."""
GAP_AFTER_REQUEST_S = 6.0
GREETING_WAIT_S = 4.5


@dataclass(frozen=True)
class SignIn:
    """How bench callers sign in to the real assistant (demo tenant) before speaking."""

    keys: tuple[tuple[float, str], ...] = ((5.0, "101#"), (9.5, "4821#"))
    ready_after_s: float = 17.0
    gap_s: float = 25.0
    """The bundled model on two cores needs a while per turn."""


@dataclass(frozen=True)
class LatencyBenchConfig:
    """How many turns and barge-ins, and how many conversations at once."""

    turns: int = 20
    barge_ins: int = 6
    concurrency: int = 1
    stagger: bool = False
    """Spread the callers' requests evenly over one request period instead of having every
    caller speak at the same moment (the worst case for the shared recogniser)."""
    caller_jitter_buffer: tuple[int, int] | None = None
    """The bench callers' RTP jitter buffer (min-max 20 ms frames); None: baresip's own.
    It sits between Asterisk and the caller's ear, so it adds to every figure measured there."""
    hesitations: int = 0
    """Requests said in pieces by one more caller (the cut-off rate); 0: none."""
    resumes: int = 0
    """Coughs, backchannels, noise and lone "stop."s over long answers (the resume rate)."""


Synth = Callable[[str, int], bytes]


async def _one_call(
    app: SwitchboardApp,
    settings: Settings,
    workdir: Path,
    steps: list[Step],
    synth: Synth,
    keys: tuple[tuple[float, str], ...] = (),
    jitter_buffer: tuple[int, int] | None = None,
) -> tuple[CallerTimeline, RenderedScript, list[dict[str, Any]]]:
    """Place one scripted call; where things were at the caller, the script, the app's turns.

    Timings come from the RTP captured at the caller's socket when this process may capture
    (root), else from baresip's recordings."""
    await asyncio.to_thread(workdir.mkdir, parents=True, exist_ok=True)
    script = render_script(steps, workdir / "mic.wav", synth)
    number = f"+1555{abs(hash(workdir)) % 10_000_000:07d}"
    caller = BaresipCaller(
        workdir / "baresip",
        CallerAccount(number, "127.0.0.2"),
        script.wav,
        jitter_buffer_frames=jitter_buffer,
    )
    wire = WireCapture(caller.rtp_ports) if can_capture() else None
    try:
        if wire is not None:
            wire.start()
        caller.start(
            dial=f"sip:{settings.pbx.demo_did}@127.0.0.1:{settings.pbx.sip_port}",
            seconds=script.seconds + 60,
        )
        await asyncio.to_thread(caller.wait_established, 15.0)
        elapsed = 0.0
        for at, digits in keys:
            await asyncio.sleep(max(0.0, at - elapsed))
            await asyncio.to_thread(caller.send_dtmf, digits, 0.15)
            elapsed = at + 0.15 * len(digits)
        await asyncio.sleep(max(0.0, script.seconds + 0.5 - elapsed))
        await asyncio.to_thread(caller.hangup)
    finally:
        await asyncio.sleep(0.5)
        await asyncio.to_thread(caller.stop)
        if wire is not None:
            await asyncio.to_thread(wire.stop)
    turns: list[dict[str, Any]] = []
    for _ in range(100):
        stats = next((s for s in app.calls.finished if s.caller == number), None)
        if stats is not None:
            turns = stats.turns
            break
        await asyncio.sleep(0.1)
    timeline = timeline_from_wire(wire.packets) if wire is not None else None
    if timeline is None:
        timeline = timeline_from_recordings(caller, script.wav)
    return timeline, script, turns


async def _latency_call(
    app: SwitchboardApp,
    settings: Settings,
    workdir: Path,
    turns: int,
    synth: Synth,
    signin: SignIn | None = None,
    delay_s: float = 0.0,
    jitter_buffer: tuple[int, int] | None = None,
) -> list[dict[str, Any]]:
    first_wait = signin.ready_after_s if signin else GREETING_WAIT_S
    gap = signin.gap_s if signin else GAP_AFTER_REQUEST_S
    requests = AGENT_REQUESTS if signin else REQUESTS
    steps: list[Step] = [Pause(first_wait + delay_s)]
    for i in range(turns):
        steps += [Speak(requests[i % len(requests)]), Pause(gap)]
    keys = signin.keys if signin else ()
    timeline, script, app_turns = await _one_call(
        app, settings, workdir, steps, synth, keys, jitter_buffer
    )
    utterances = script.utterances
    heard = timeline.heard
    said = timeline.spoken([seg for _, seg in utterances])
    latencies = reply_latencies(said, heard)
    clip_latencies = reply_latencies([seg for _, seg in utterances], heard)
    answers = [t for t in app_turns if t.get("caller_text") and t["caller_text"] != "[keyed]"]
    rows = []
    for i, latency in enumerate(latencies):
        stages = dict(answers[i]) if i < len(answers) else {}
        caller_ms = None if latency is None else latency * 1000
        clip = clip_latencies[i]
        stages["caller_clip_end_ms"] = None if clip is None else clip * 1000
        vad_end = stages.get("vad_end_to_first_audio_ms")
        if caller_ms is not None and isinstance(vad_end, int | float):
            stages["transport_ms"] = round(caller_ms - vad_end, 1)
        rows.append(
            {"caller_ms": caller_ms, "timeline": timeline.source, **stages, **_spoken(stages)}
        )
    return rows


def _spoken(turn: dict[str, Any]) -> dict[str, Any]:
    """Whether the first audio was the filler, and how much later the first real sentence
    started (app side: both went out on the same path, so the difference holds at the caller)."""
    first = stage_times(turn, "first_audio_sent")
    sentence = stage_times(turn, "sentence_audio_sent")
    filler = "agent_filler" in turn.get("stages", [])
    if not first:
        return {"filler_first": filler}
    later = (sentence[0] - first[0]) * 1000 if sentence else None
    return {
        "filler_first": filler and (later is None or later > 1.0),
        "sentence_after_first_audio_ms": later,
    }


async def _barge_in_call(
    app: SwitchboardApp,
    settings: Settings,
    workdir: Path,
    count: int,
    synth: Synth,
    jitter_buffer: tuple[int, int] | None = None,
) -> tuple[list[float | None], list[float], str, int]:
    """Reactions at the caller (s), the app's own detection times (ms, speech start →
    suspected), where the caller's side was measured (the timeline's source), and how many
    interruptions heard the answer come back while they were still being spoken (a resume
    blip: "Stop." resumed, then cut by "Tell me …")."""
    steps: list[Step] = [Pause(GREETING_WAIT_S), Speak("Tell me a long story."), Pause(6.0)]
    for i in range(count):
        steps += [Speak(INTERRUPTIONS[i % len(INTERRUPTIONS)]), Pause(7.0)]
    timeline, script, app_turns = await _one_call(
        app, settings, workdir, steps, synth, jitter_buffer=jitter_buffer
    )
    utterances = script.utterances
    heard = timeline.heard
    said = timeline.spoken([seg for _, seg in utterances])
    detected = []
    for t in app_turns:
        values = t.get("barge_in_reaction_ms")
        if isinstance(values, list):
            detected += [float(v) for v in values]
    reactions = [stop_reaction(heard, seg.start) for seg in said[1:]]
    blips = sum(any(seg.start + 0.05 < h.start < seg.end for h in heard) for seg in said[1:])
    return reactions, detected, timeline.source, blips


async def _hesitation_call(
    app: SwitchboardApp, settings: Settings, workdir: Path, count: int, synth: Synth
) -> dict[str, Any]:
    """One caller says ``count`` requests in pieces; cut-off and talked-over rates."""
    steps = hesitation_steps(count, GREETING_WAIT_S, GAP_AFTER_REQUEST_S)
    offset = clock_offset()
    timeline, script, app_turns = await _one_call(app, settings, workdir, steps, synth)
    said = timeline.spoken([seg for _, seg in script.utterances])
    judged = judge_hesitations(said, timeline.heard, app_turns, timeline, offset)
    latencies = [r for r in reply_latencies(said, timeline.heard) if r is not None]
    cut = [c for c in judged.cut_off if c is not None]
    early = [c for c in judged.early_end if c is not None]
    return {
        "hesitant_requests": len(said),
        "cut_off": sum(cut) if cut else None,
        "cut_off_rate": rounded(100 * sum(cut) / len(cut)) if cut else None,
        "ended_early_rate": rounded(100 * sum(early) / len(early)) if early else None,
        "talked_over_rate": rounded(100 * sum(judged.talked_over) / max(1, len(said))),
        "cut_off_requests": [
            text for (text, _), c in zip(script.utterances, judged.cut_off, strict=True) if c
        ],
        "hesitant_rows": [
            {"text": text, "early": e, "talked_over": o, "cut_off": c, "reply_s": r}
            for (text, _), e, o, c, r in zip(
                script.utterances,
                judged.early_end,
                judged.talked_over,
                judged.cut_off,
                reply_latencies(said, timeline.heard),
                strict=True,
            )
        ],
        "hesitant_voice_to_voice_ms_p50": rounded(percentile([1000 * x for x in latencies], 50)),
        "hesitant_voice_to_voice_ms_p95": rounded(percentile([1000 * x for x in latencies], 95)),
    }


async def _resume_call(
    app: SwitchboardApp, settings: Settings, workdir: Path, count: int, synth: Synth
) -> dict[str, Any]:
    """Disturbances over long answers; how often the answer resumed and finished."""
    offset = clock_offset()
    timeline, script, app_turns = await _one_call(
        app, settings, workdir, resume_steps(count, GREETING_WAIT_S), synth
    )
    segments = timeline.spoken(disturbance_segments(script.placed))
    tries = judge_resumes(segments, timeline.heard, app_turns, timeline, offset)
    names = disturbance_names(count)
    ok = [t["ok"] for t in tries]
    by_kind: dict[str, list[bool]] = {}
    for name, t in zip(names, tries, strict=False):
        by_kind.setdefault(name, []).append(bool(t["ok"]))
    return {
        "resume_tries": len(tries),
        "resume_rate": rounded(100 * sum(ok) / len(ok)) if ok and timeline.origin else None,
        "resume_paused": sum(bool(t["paused"]) for t in tries),
        "resume_by_kind": {k: f"{sum(v)}/{len(v)}" for k, v in by_kind.items()},
        "resume_failures": [
            {"kind": name, **t} for name, t in zip(names, tries, strict=False) if not t["ok"]
        ],
    }


async def run_latency_bench(
    settings: Settings, config: LatencyBenchConfig, synth: Synth, signin: SignIn | None = None
) -> dict[str, Any]:
    """Run the calls against an app in this process (PBX already up); return the figures."""
    app = SwitchboardApp(settings)
    serving = asyncio.create_task(app.run())
    try:
        async with asyncio.timeout(60):
            await app.events.connected.wait()
        with tempfile.TemporaryDirectory(prefix="sb-latency-") as tmp:
            base = Path(tmp)
            per_call = max(1, -(-config.turns // config.concurrency))
            period = (signin.gap_s if signin else GAP_AFTER_REQUEST_S) + 2.5  # + a request
            step = period / config.concurrency if config.stagger else 0.0
            turn_rows = await asyncio.gather(
                *(
                    _latency_call(
                        app,
                        settings,
                        base / f"lat{i}",
                        per_call,
                        synth,
                        signin,
                        i * step,
                        config.caller_jitter_buffer,
                    )
                    for i in range(config.concurrency)
                )
            )
            reactions: list[float | None] = []
            sources = {str(row["timeline"]) for rows in turn_rows for row in rows}
            extra: dict[str, Any] = {}
            if config.hesitations and signin is None:
                extra |= await _hesitation_call(
                    app, settings, base / "hesitant", config.hesitations, synth
                )
            if config.resumes and signin is None:
                extra |= await _resume_call(app, settings, base / "resume", config.resumes, synth)
            detected: list[float] = []
            if config.barge_ins and signin is None:
                reactions, detected, source, blips = await _barge_in_call(
                    app,
                    settings,
                    base / "barge",
                    config.barge_ins,
                    synth,
                    config.caller_jitter_buffer,
                )
                sources.add(source)
                extra["barge_in_resume_blips"] = blips
    finally:
        serving.cancel()
        await asyncio.gather(serving, return_exceptions=True)
    result = summarise([r for rows in turn_rows for r in rows], reactions, config, settings)
    result["measured_at"] = ", ".join(MEASURED_AT[source] for source in sorted(sources))
    result["barge_in_detected_ms_p50"] = rounded(percentile(detected, 50))
    result["barge_in_detected_ms_p95"] = rounded(percentile(detected, 95))
    result |= extra
    return result


def bench_latency(
    config: LatencyBenchConfig, *, agent: str = "standin", start_pbx: bool = True
) -> dict[str, Any]:
    """Blocking entry point: PBX up, app in voice mode with ``agent``, Piper as the caller."""
    from ari_app.speech.tts_piper import PiperTts

    voice = PiperTts.load(deterministic=True)

    def synth(text: str, rate: int) -> bytes:
        return b"".join(chunk.pcm for chunk in voice.synthesize_sync(text, rate))

    with pbx_for_bench(start_pbx) as settings:
        call = settings.call.model_copy(update={"mode": "voice", "agent": agent})
        settings = settings.model_copy(update={"call": call})
        signin = None
        if agent == "langgraph":
            from switchboard.cli.demo import prepare_demo_data

            asyncio.run(prepare_demo_data(settings))
            signin = SignIn()
        return asyncio.run(run_latency_bench(settings, config, synth, signin))


def bench_concurrency(
    max_concurrency: int,
    turns_each: int,
    *,
    agent: str = "standin",
    limit_ms: float = 2500.0,
    keep_going: bool = False,
    stagger: bool = False,
    only: tuple[int, ...] = (),
) -> dict[str, Any]:
    """Raise the number of simultaneous conversations until p95 passes ``limit_ms``
    (``keep_going``: measure every level up to ``max_concurrency`` anyway; ``only``: just
    these levels, e.g. (1, 8, 12), to save time on a shared machine)."""
    levels = []
    held = 0
    failed = False
    for level in only or range(1, max_concurrency + 1):
        config = LatencyBenchConfig(
            turns=turns_each * level, barge_ins=0, concurrency=level, stagger=stagger
        )
        result = bench_latency(config, agent=agent)
        p95 = result["voice_to_voice_ms_p95"]
        answered = result["turns_answered"] == result["turns_asked"]
        p50s, p95s = result["stages_ms_p50"], result["stages_ms_p95"]
        levels.append(
            {
                "concurrency": level,
                "p50_ms": result["voice_to_voice_ms_p50"],
                "p95_ms": p95,
                "answered": result["turns_answered"],
                "asked": result["turns_asked"],
                "endpointing_ms_p50": p50s["endpointing_ms"],
                "endpointing_ms_p95": p95s["endpointing_ms"],
                "stt_wait_ms_p50": p50s["stt_ms"],
                "stt_wait_ms_p95": p95s["stt_ms"],
                "tts_first_audio_ms_p50": p50s["tts_first_audio_ms"],
                "tts_first_audio_ms_p95": p95s["tts_first_audio_ms"],
                "vad_end_to_first_audio_ms_p95": p95s["vad_end_to_first_audio_ms"],
            }
        )
        failed = failed or p95 is None or p95 > limit_ms or not answered
        if not failed:
            held = level
        elif not keep_going:
            break
    return {
        "agent": agent,
        "limit_ms": limit_ms,
        "stagger": stagger,
        "held": held,
        "levels": levels,
    }
