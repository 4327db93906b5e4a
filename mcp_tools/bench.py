"""``switchboard bench tools``: MCP round-trip latency per tool class, and tool calls per
second with concurrent clients, against PostgreSQL.

The server runs as its own process (``switchboard mcp serve``) over a fresh database on a
throwaway cluster (or a given server URL), seeded with the demo tenant; the clients are real
MCP streamable-HTTP sessions in this process, each with its own bearer token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from mcp_tools.db import migrate
from mcp_tools.db.session import Database
from mcp_tools.pgcluster import create_database, drop_database, free_port, throwaway_cluster
from mcp_tools.seed import seed_demo
from mcp_tools.services.auth import AuthService
from mcp_tools.tokens import TokenService
from switchboard.settings import ToolsSettings

CLASSES: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "simple_read": [
        ("get_my_profile", {}),
        ("list_todos", {}),
        ("get_departments", {}),
        ("list_reminders", {}),
    ],
    "lookup_by_id": [("get_todo", {"todo": "#0"})],
    "lookup_by_name": [("get_todo", {"todo": "the bench target"})],
    "fuzzy_names": [("get_user", {"person": "Johnny"}), ("list_team_members", {"team": "dev"})],
    "natural_time_write": [("create_reminder", {"text": "bench", "when": "tomorrow at 9"})],
    "write": [
        ("create_todo", {"title": "bench todo"}),
        ("update_todo", {"todo": "#0", "priority": "high"}),
    ],
    "report": [("report_team_workload", {"team": "Dev"}), ("find_free_slots", {})],
}


@dataclass(frozen=True)
class BenchConfig:
    """How hard to push."""

    iterations: int = 60
    """Calls per tool in the latency pass."""
    clients: int = 20
    duration_s: float = 5.0
    server_url: str | None = None
    """An existing PostgreSQL server (admin URL); default: a throwaway cluster."""


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


@contextlib.asynccontextmanager
async def _session(url: str, token: str) -> AsyncIterator[ClientSession]:
    async with (
        httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http,
        streamable_http_client(url, http_client=http) as (read, write, _),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


@contextlib.contextmanager
def _server_process(db_url: str, key: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = dict(os.environ)
    env.update(
        SWITCHBOARD_DATABASE__URL=db_url,
        SWITCHBOARD_TOOLS__TOKEN_KEY=key,
        SWITCHBOARD_PBX__MODE="external",
        SWITCHBOARD_LOG_LEVEL="WARNING",
    )
    cmd = [
        sys.executable,
        "-c",
        "from switchboard.cli import main; main()",
        "mcp",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def _wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError((proc.stderr.read() if proc.stderr else b"").decode()[-2000:])
            with contextlib.suppress(httpx.HTTPError):
                if (await http.post(url, json={})).status_code == 401:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError("tool server did not start")


async def _latency(url: str, token: str, iterations: int, todo_id: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    async with _session(url, token) as session:
        for cls, calls in CLASSES.items():
            samples: list[float] = []
            errors = 0
            for tool, args in calls:
                real = {k: (f"#{todo_id}" if v == "#0" else v) for k, v in args.items()}
                await session.call_tool(tool, real)  # warm-up
                for _ in range(iterations):
                    start = time.perf_counter()
                    result = await session.call_tool(tool, real)
                    samples.append((time.perf_counter() - start) * 1000)
                    errors += bool(result.isError)
            out[cls] = {
                "tools": [t for t, _ in calls],
                "calls": len(samples),
                "errors": errors,
                "p50_ms": round(statistics.median(samples), 2),
                "p95_ms": round(_pct(samples, 0.95), 2),
            }
    return out


async def _throughput(url: str, tokens: list[str], duration_s: float) -> dict[str, Any]:
    mix = [*CLASSES["simple_read"], ("get_user", {"person": "Johnny"})]
    counts = [0] * len(tokens)
    errors = [0] * len(tokens)
    samples: list[float] = []
    ready = asyncio.Event()
    stop_at: list[float] = [0.0]

    async def client(i: int) -> None:
        async with _session(url, tokens[i]) as session:
            await ready.wait()
            n = i
            while time.perf_counter() < stop_at[0]:
                tool, args = mix[n % len(mix)]
                n += 1
                start = time.perf_counter()
                result = await session.call_tool(tool, args)
                samples.append((time.perf_counter() - start) * 1000)
                counts[i] += 1
                errors[i] += bool(result.isError)

    tasks = [asyncio.create_task(client(i)) for i in range(len(tokens))]
    await asyncio.sleep(0.5 + 0.05 * len(tokens))  # let every session initialise
    began = time.perf_counter()
    stop_at[0] = began + duration_s
    ready.set()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    return {
        "clients": len(tokens),
        "duration_s": round(elapsed, 2),
        "calls": sum(counts),
        "errors": sum(errors),
        "calls_per_s": round(sum(counts) / elapsed, 1),
        "p50_ms": round(statistics.median(samples), 2) if samples else None,
        "p95_ms": round(_pct(samples, 0.95), 2) if samples else None,
    }


async def _prepare(db_url: str, key: str, clients: int) -> tuple[list[str], int]:
    db = Database(db_url)
    try:
        await migrate.upgrade(db)
        demo = await seed_demo(db, bcrypt_rounds=4)
        tenant = int(demo["tenant"]["id"])
        auth = AuthService(db, ToolsSettings(bcrypt_rounds=4))
        tokens = TokenService(key.encode(), ttl_s=3600)
        users = []
        for u in demo["users"]:
            info = await auth.find_user_by_number(tenant, u["user_number"])
            assert info is not None
            users.append(info)
        members = [u for u in users if u.role != "viewer"]
        minted = [
            tokens.mint(tenant_id=tenant, user_id=u.id, role=u.role, call_id=f"bench-{i}")
            for i, u in enumerate((members * clients)[: max(clients, 1)])
        ]
        from mcp_tools.db.models import Todo

        async with db.scoped(tenant) as session, session.begin():
            todo = Todo(owner_id=members[0].id, title="bench target")
            session.add(todo)
            await session.flush()
            return minted, todo.id
    finally:
        await db.dispose()


async def _bench(config: BenchConfig, admin_url: str) -> dict[str, Any]:
    db_url = await create_database(admin_url)
    key = secrets.token_urlsafe(40)
    try:
        tokens, todo_id = await _prepare(db_url, key, config.clients)
        port = free_port()
        url = f"http://127.0.0.1:{port}/mcp"
        with _server_process(db_url, key, port) as proc:
            await _wait_ready(url, proc)
            latency = await _latency(url, tokens[0], config.iterations, todo_id)
            throughput = await _throughput(url, tokens[: config.clients], config.duration_s)
        return {
            "backend": "postgresql",
            "server": "separate process, streamable HTTP",
            "cpu_count": os.cpu_count(),
            "latency": latency,
            "throughput": throughput,
            "target_simple_p50_ms": 15.0,
            "simple_p50_ok": latency["simple_read"]["p50_ms"] < 15.0,
        }
    finally:
        await drop_database(admin_url, db_url)


def run_bench(config: BenchConfig) -> dict[str, Any]:
    """Run the whole benchmark; returns one JSON-able object."""
    for noisy in ("httpx", "mcp", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if config.server_url:
        return asyncio.run(_bench(config, config.server_url))
    with throwaway_cluster() as admin_url:
        return asyncio.run(_bench(config, admin_url))


def format_bench(r: Mapping[str, Any]) -> str:
    """Human-readable summary."""
    lines = [f"MCP tool round trips against {r['backend']} ({r['server']}, {r['cpu_count']} CPUs)"]
    lines.append(f"  {'class':<20} {'p50 ms':>8} {'p95 ms':>8} {'calls':>6} {'errors':>6}")
    for cls, s in r["latency"].items():
        lines.append(
            f"  {cls:<20} {s['p50_ms']:>8} {s['p95_ms']:>8} {s['calls']:>6} {s['errors']:>6}"
        )
    t = r["throughput"]
    lines.append(
        f"  {t['clients']} concurrent clients: {t['calls_per_s']} tool calls/s "
        f"(p50 {t['p50_ms']} ms, p95 {t['p95_ms']} ms, {t['errors']} errors, {t['calls']} calls)"
    )
    verdict = "met" if r["simple_p50_ok"] else "MISSED"
    lines.append(f"  target p50 < {r['target_simple_p50_ms']} ms for simple tools: {verdict}")
    return "\n".join(lines)
