"""``switchboard bench agent``: tool/argument accuracy and latency of the agent on the request
set in :mod:`agent.benchset`, against a throwaway seeded database and the real tool server.

The configured model is used (``agent.provider``; the bundled local model by default, started
for the run and stopped after). Each request runs in a fresh call as the demo owner. With
``--compare-routing`` the same requests run again with every tool shown to the model.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from switchboard.cli.common import AppContext, emit, json_option, pass_app
from switchboard.settings import Settings

if TYPE_CHECKING:
    from agent.session import AgentSession


@dataclass
class DemoTools:
    """A served, seeded demo tenant: the MCP URL and a token maker for its owner."""

    url: str
    token: Callable[[], str]
    timezone: str


@contextlib.asynccontextmanager
async def demo_tools() -> AsyncIterator[DemoTools]:
    """A fresh SQLite database with the demo tenant, served over MCP on a free port."""
    from sqlalchemy import select

    from agent.llm_server import free_port
    from mcp_tools.app import running_http
    from mcp_tools.db import migrate
    from mcp_tools.db.models import User
    from mcp_tools.db.session import Database
    from mcp_tools.seed import seed_demo
    from mcp_tools.server import build_server
    from mcp_tools.tokens import TokenService

    with tempfile.TemporaryDirectory(prefix="sb-bench-agent-") as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        try:
            await migrate.upgrade(db)
            demo = await seed_demo(db, 4)
            tenant = demo["tenant"]
            async with db.scoped(tenant["id"]) as session:
                owner = await session.execute(select(User).where(User.user_number == "101"))
                user = owner.scalar_one()
            tokens = TokenService(secrets.token_bytes(32), ttl_s=600)

            def token() -> str:
                return tokens.mint(tenant_id=tenant["id"], user_id=user.id, role="owner")

            port = free_port()
            async with running_http(build_server(db, tokens, port=port), "127.0.0.1", port) as url:
                yield DemoTools(url, token, tenant["timezone"])
        finally:
            await db.dispose()


async def run_bench(
    settings: Settings, limit: int | None, compare: bool, turn_budget_s: float, quiet: bool
) -> dict[str, Any]:
    """Run the set (and optionally again without routing); returns the figures."""
    from agent import AgentRuntime, AgentSession, CallerContext
    from agent.bench import as_dict, relative_dates, run_cases, summarise
    from agent.benchset import CASES

    cases = CASES[:limit] if limit else CASES
    budgets = {"turn_budget_s": turn_budget_s, "tool_budget_s": min(20.0, turn_budget_s)}
    out: dict[str, Any] = {
        "provider": settings.agent.provider,
        "model": settings.agent.effective_model,
        "budget_s": settings.agent.turn_budget_s,
    }
    with tempfile.TemporaryDirectory(prefix="sb-bench-state-") as state:
        async with demo_tools() as demo:
            caller = CallerContext("Alice Smith", "owner", demo.timezone, ("Dev",))
            dates = relative_dates(datetime.now(UTC), demo.timezone)
            base = settings.agent.model_copy(update=budgets)
            runtime = await AgentRuntime.start(
                settings.model_copy(update={"agent": base}),
                checkpoint=f"sqlite:///{Path(state) / 'a.db'}",
                tools_url=demo.url,
            )
            try:
                variants = [("routing", runtime)]
                if compare:
                    flat = settings.model_copy(
                        update={"agent": base.model_copy(update={"routing": False})}
                    )
                    other = await AgentRuntime.start(
                        flat, model=runtime.model, checkpoint=f"sqlite:///{Path(state) / 'b.db'}",
                        tools_url=demo.url,
                    )  # fmt: skip
                    variants.append(("no_routing", other))
                for label, rt in variants:

                    @contextlib.asynccontextmanager
                    async def opener(rt: AgentRuntime = rt) -> AsyncIterator[AgentSession]:
                        one = CallerContext(**{**caller.__dict__, "call_id": uuid.uuid4().hex})
                        session = await AgentSession.open(
                            rt.settings, demo.token(), one, runtime=rt
                        )
                        try:
                            yield session
                        finally:
                            await session.close()

                    results = []
                    async for r in run_cases(opener, cases, dates):
                        results.append(r)
                        if not quiet:
                            mark = "ok " if r.args_ok else ("~  " if r.tool_ok else "MISS")
                            print(f"[{label}] {mark} {r.total_s:5.1f}s {r.id}: {r.called[:1]}",
                                  file=sys.stderr, flush=True)  # fmt: skip
                    out[label] = summarise(results, settings.agent.turn_budget_s)
                    out[f"{label}_cases"] = [as_dict(r) for r in results]
                if compare:
                    await variants[1][1].aclose()
            finally:
                await runtime.aclose()
    return out


def format_bench(result: Mapping[str, Any]) -> str:
    """Human-readable figures."""
    lines = [f"agent bench: {result['provider']} / {result['model']}"]
    for label in ("routing", "no_routing"):
        s = result.get(label)
        if not s:
            continue
        lines.append(
            f"  {label:<10} {s['requests']} requests  tool acc {s['tool_accuracy']:.0%}  "
            f"args acc {s['args_accuracy']:.0%}  p50 {s['latency_p50_s']}s  "
            f"p95 {s['latency_p95_s']}s  first sentence p50 {s['first_sentence_p50_s']}s  "
            f"over {result['budget_s']}s: {s['over_budget']}"
        )
        for family, f in s["per_family"].items():
            lines.append(
                f"      {family:<10} tool {f['tool_accuracy']:.0%}  args {f['args_accuracy']:.0%}"
            )
        for miss in s["failures"]:
            lines.append(f"      miss {miss['id']}: {miss['called'][:1]} {miss['reply'][:60]!r}")
    return "\n".join(lines)


@click.command("agent")
@click.option("--limit", type=int, default=None, help="Only the first N requests.")
@click.option(
    "--compare-routing/--no-compare-routing",
    default=False,
    help="Also run with every tool shown (no routing).",
)
@click.option(
    "--turn-budget", type=float, default=60.0, show_default=True,
    help="Turn budget during the bench (requests over the configured budget are counted).",
)  # fmt: skip
@json_option
@pass_app
def agent_bench(
    app: AppContext, limit: int | None, compare_routing: bool, turn_budget: float, as_json: bool
) -> None:
    """Tool/argument accuracy and latency p50/p95 of the agent on the request set."""
    import logging

    logging.getLogger("mcp.server.streamable_http").setLevel(logging.CRITICAL)
    logging.getLogger("agent").setLevel(logging.ERROR)
    for name in ("httpx", "httpx2", "mcp"):
        logging.getLogger(name).setLevel(logging.WARNING)
    result = asyncio.run(run_bench(app.settings, limit, compare_routing, turn_budget, as_json))
    emit(result, as_json, format_bench)
