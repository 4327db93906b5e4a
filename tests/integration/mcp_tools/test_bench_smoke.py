"""``switchboard bench tools`` runs end to end (tiny numbers; the figures are not asserted)."""

from __future__ import annotations

import asyncio

import pytest

from mcp_tools.bench import CLASSES, BenchConfig, format_bench, run_bench


@pytest.mark.postgres
async def test_bench_tools_smoke(postgres_server_url: str) -> None:
    config = BenchConfig(iterations=2, clients=3, duration_s=0.5, server_url=postgres_server_url)
    result = await asyncio.to_thread(run_bench, config)
    assert set(result["latency"]) == set(CLASSES)
    assert all(s["errors"] == 0 for s in result["latency"].values())
    assert result["throughput"]["clients"] == 3 and result["throughput"]["errors"] == 0
    assert "tool calls/s" in format_bench(result)
