"""``switchboard bench calls``: N concurrent SIPp calls with audio into the app.

Measures, against the real PBX: calls completed, call set-up time at the caller (INVITE →
200 OK, from SIPp), the app's own set-up time (StasisStart → media flowing), media frames
received and lost (gaps in the 20 ms frame stream at the app), and the app's CPU per call.
The app runs in this process so its CPU time is measured alone (SIPp and Asterisk are other
processes).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from ari_app.app import SwitchboardApp
from switchboard.bench.pbx import pbx_for_bench
from switchboard.callers.sipp import run_sipp, uac_scenario
from switchboard.settings import Settings


@dataclass(frozen=True)
class CallsBenchConfig:
    """How many calls, how fast they arrive and how long each holds."""

    calls: int = 50
    rate_per_s: float = 25.0
    hold_ms: int = 6000


def percentile(values: list[float], pct: float) -> float | None:
    """The ``pct`` percentile (nearest rank) of ``values``, None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


async def run_calls_bench(settings: Settings, config: CallsBenchConfig) -> dict[str, Any]:
    """Run the benchmark (PBX already up) and return the figures as a dict."""
    app = SwitchboardApp(settings)
    serving = asyncio.create_task(app.run())
    try:
        async with asyncio.timeout(15):
            await app.events.connected.wait()
        process = psutil.Process()
        cpu_before = process.cpu_times()
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="sb-bench-") as tmp:
            result = await asyncio.to_thread(
                run_sipp,
                Path(tmp),
                uac_scenario(config.hold_ms),
                target=f"127.0.0.1:{settings.pbx.sip_port}",
                service=settings.pbx.demo_did,
                calls=config.calls,
                concurrent=config.calls,
                rate_per_s=config.rate_per_s,
                timeout_s=config.hold_ms / 1000 + config.calls / config.rate_per_s + 60,
            )
        try:
            finished = await app.calls.wait_finished(config.calls, 30)
        except TimeoutError:
            finished = list(app.calls.finished)
        wall_s = time.monotonic() - started
        cpu_after = process.cpu_times()
    finally:
        serving.cancel()
        await asyncio.gather(serving, return_exceptions=True)

    cpu_s = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    frames_in = sum(s.frames_in for s in finished)
    frames_lost = sum(s.frames_gap_lost for s in finished)
    media_ready = [s.media_ready_s * 1000 for s in finished if s.media_ready_s is not None]
    completed = result.successful
    return {
        "calls": config.calls,
        "completed": completed,
        "failed": result.failed,
        "app_calls_completed": sum(1 for s in finished if s.outcome == "completed"),
        "setup_ms_p50": percentile(result.setup_ms, 50),
        "setup_ms_p95": percentile(result.setup_ms, 95),
        "app_media_ready_ms_p50": _round(percentile(media_ready, 50)),
        "app_media_ready_ms_p95": _round(percentile(media_ready, 95)),
        "frames_received": frames_in,
        "frames_lost": frames_lost,
        "frames_lost_pct": round(100 * frames_lost / max(1, frames_in + frames_lost), 3),
        "app_cpu_ms_per_call": round(1000 * cpu_s / max(1, len(finished)), 1),
        "app_cpu_pct_of_one_core": round(100 * cpu_s / wall_s, 1),
        "wall_s": round(wall_s, 1),
        "hold_ms": config.hold_ms,
        "rate_per_s": config.rate_per_s,
        "mean_frames_per_call": round(statistics.fmean([s.frames_in for s in finished]), 1)
        if finished
        else 0,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def bench_calls(config: CallsBenchConfig, *, start_pbx: bool = True) -> dict[str, Any]:
    """Blocking entry point: bring up the dev PBX if needed, run, stop what was started."""
    with pbx_for_bench(start_pbx) as settings:
        # The telephony edge alone: greeting + echo, no speech models or agent.
        call = settings.call.model_copy(update={"mode": "echo"})
        return asyncio.run(run_calls_bench(settings.model_copy(update={"call": call}), config))


def format_calls(result: Mapping[str, Any]) -> str:
    """Human-readable lines for the figures."""
    return "\n".join(
        [
            f"calls completed      {result['completed']}/{result['calls']} "
            f"(failed {result['failed']}, app saw {result['app_calls_completed']} complete)",
            f"call set-up (caller) p50 {result['setup_ms_p50']} ms, "
            f"p95 {result['setup_ms_p95']} ms",
            f"media ready (app)    p50 {result['app_media_ready_ms_p50']} ms, "
            f"p95 {result['app_media_ready_ms_p95']} ms",
            f"media frames         {result['frames_received']} received, "
            f"{result['frames_lost']} lost ({result['frames_lost_pct']} %)",
            f"app CPU              {result['app_cpu_ms_per_call']} ms per call, "
            f"{result['app_cpu_pct_of_one_core']} % of one core over {result['wall_s']} s",
        ]
    )
