"""``switchboard bench tools``: MCP tool latency and throughput against PostgreSQL."""

from __future__ import annotations

import click

from switchboard.cli.common import emit, json_option


@click.command("tools")
@click.option("--iterations", default=60, show_default=True, help="Calls per tool (latency).")
@click.option("--clients", default=20, show_default=True, help="Concurrent MCP clients.")
@click.option("--duration", default=5.0, show_default=True, help="Seconds of the load pass.")
@click.option(
    "--postgres-url",
    default=None,
    envvar="SWITCHBOARD_BENCH_POSTGRES_URL",
    help="Admin URL of a PostgreSQL server to use (default: a throwaway local cluster).",
)
@json_option
def tools(
    iterations: int, clients: int, duration: float, postgres_url: str | None, as_json: bool
) -> None:
    """MCP round-trip p50/p95 per tool class, and tool calls/s with concurrent clients."""
    from mcp_tools.bench import BenchConfig, format_bench, run_bench

    config = BenchConfig(
        iterations=iterations, clients=clients, duration_s=duration, server_url=postgres_url
    )
    emit(run_bench(config), as_json, format_bench)
