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
