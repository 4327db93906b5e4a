"""``switchboard bench ...``: benchmarks that print numbers (``--json``: one object)."""

from __future__ import annotations

import click

from switchboard.cli.common import emit, json_option


@click.group()
def bench() -> None:
    """Measure Switchboard on this machine."""


@bench.command()
@click.option("-n", "--calls", default=50, show_default=True, help="Concurrent calls to place.")
@click.option("--rate", default=25.0, show_default=True, help="New calls per second.")
@click.option("--hold-ms", default=6000, show_default=True, help="How long each call lasts.")
@json_option
def calls(calls: int, rate: float, hold_ms: int, as_json: bool) -> None:
    """Place N concurrent SIPp calls with audio into the app; print set-up, loss and CPU."""
    import logging

    from switchboard.bench.calls import CallsBenchConfig, bench_calls, format_calls

    logging.getLogger("ari_app").setLevel(logging.WARNING)
    result = bench_calls(CallsBenchConfig(calls=calls, rate_per_s=rate, hold_ms=hold_ms))
    emit(result, as_json, format_calls)


@bench.command()
@click.option("--turns", default=20, show_default=True, help="Requests to time.")
@click.option("--barge-ins", default=6, show_default=True, help="Interruptions to time.")
@click.option("--concurrency", default=1, show_default=True, help="Conversations at once.")
@click.option(
    "--hesitations",
    default=0,
    show_default=True,
    help="Requests said in pieces, with mid-sentence pauses (the cut-off rate).",
)
@click.option(
    "--resumes",
    default=0,
    show_default=True,
    help="Coughs, backchannels, noise, a lone 'stop.' over long answers (the resume rate).",
)
@click.option(
    "--agent",
    type=click.Choice(["standin", "langgraph"]),
    default="standin",
    show_default=True,
    help="standin: fixed 300 ms first sentence; langgraph: the configured model.",
)
@click.option(
    "--sweep",
    default=0,
    help="Instead: raise concurrency 1..N until p95 passes 2.5 s.",
)
@click.option("--sweep-turns", default=3, show_default=True, help="Sweep: turns per caller.")
@click.option(
    "--sweep-levels",
    default=None,
    metavar="N,N,...",
    help="Sweep: measure only these numbers of conversations (e.g. 1,8,12).",
)
@click.option(
    "--keep-going", is_flag=True, help="Sweep: measure every level up to N, even past 2.5 s."
)
@click.option(
    "--stagger",
    is_flag=True,
    help="Spread the callers' requests over time (default: all speak at once, the worst case).",
)
@click.option(
    "--caller-jitter-buffer",
    default=None,
    metavar="MIN-MAX",
    help="The bench callers' jitter buffer in 20 ms frames (baresip's default: 5-10).",
)
@json_option
def latency(
    turns: int,
    barge_ins: int,
    concurrency: int,
    hesitations: int,
    resumes: int,
    agent: str,
    sweep: int,
    sweep_turns: int,
    sweep_levels: str | None,
    keep_going: bool,
    stagger: bool,
    caller_jitter_buffer: str | None,
    as_json: bool,
) -> None:
    """Voice-to-voice latency and barge-in reaction, measured at real callers' ears."""
    import json as json_lib
    import logging

    from switchboard.bench.latency import (
        LatencyBenchConfig,
        bench_concurrency,
        bench_latency,
    )
    from switchboard.bench.latency_report import format_latency

    logging.getLogger("ari_app").setLevel(logging.WARNING)
    if sweep:
        only = tuple(int(n) for n in sweep_levels.split(",")) if sweep_levels else ()
        result = bench_concurrency(
            sweep, sweep_turns, agent=agent, keep_going=keep_going, stagger=stagger, only=only
        )
        emit(result, as_json, lambda r: json_lib.dumps(r, indent=2))
        return
    config = LatencyBenchConfig(
        turns=turns,
        barge_ins=barge_ins,
        concurrency=concurrency,
        stagger=stagger,
        caller_jitter_buffer=_frames_range(caller_jitter_buffer),
        hesitations=hesitations,
        resumes=resumes,
    )
    emit(bench_latency(config, agent=agent), as_json, format_latency)


def _frames_range(text: str | None) -> tuple[int, int] | None:
    """``"1-10"`` as (1, 10); a clear error for anything else."""
    if text is None:
        return None
    low, sep, high = text.partition("-")
    if not (sep and low.isdigit() and high.isdigit() and 1 <= int(low) <= int(high)):
        raise click.BadParameter(f"{text!r}: give MIN-MAX frames, e.g. 2-10")
    return int(low), int(high)


def _register() -> None:
    from switchboard.cli.bench_speech import speech

    bench.add_command(speech)
    from switchboard.cli.bench_agent import agent_bench

    bench.add_command(agent_bench)


_register()


def _register_tools() -> None:
    from switchboard.cli.bench_tools import tools

    bench.add_command(tools)


_register_tools()
