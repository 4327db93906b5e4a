"""Nothing on the voice path waits for Google: booking while Google is down answers as fast
as while it is up (create_event over a real MCP session, timed per tool call), the write is
committed with a pending outbox entry, and the background worker syncs it once Google is back.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from agent import AgentRuntime, AgentSession
from mcp_tools.calendar_sync.worker import CalendarSync
from mcp_tools.db.models import CalendarOutbox, Event
from tests.fixtures.agent_fakes import agent_settings, run_turn
from tests.fixtures.agent_tools import ALICE
from tests.fixtures.google_env import CalEnv
from tests.fixtures.llm import scripted, tool_call
from tests.fixtures.mcp_env import ToolClient

CALLS = 5
TURNS = 3


async def _book(tools: ToolClient, label: str, day: int) -> list[float]:
    timings = []
    for i in range(CALLS):
        start = (datetime.now(UTC) + timedelta(days=day)).replace(hour=9 + i, minute=0, second=0)
        began = time.perf_counter()
        result = await tools.call("create_event", title=f"{label} {i}", start=start.isoformat())
        timings.append((time.perf_counter() - began) * 1000)
        assert result.ok, result.text
    return timings


async def _outbox(env: CalEnv) -> dict[str, str]:
    async with env.db.scoped(env.tenant_id) as session:
        rows = await session.execute(
            select(Event.title, CalendarOutbox.status).join(
                CalendarOutbox, CalendarOutbox.event_id == Event.id
            )
        )
        return {str(t): str(s) for t, s in rows.all()}


async def _wait_for(predicate: object, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await predicate():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached in time")


async def test_booking_while_google_is_down_is_as_fast_and_syncs_later(cal_env: CalEnv) -> None:
    user_id = await cal_env.connect("101")
    cfg = cal_env.cfg.model_copy(update={"failure_backoff_max_s": 0.3})
    worker = CalendarSync(cal_env.db, cfg, cal_env.vault)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))  # the background worker runs throughout
    try:
        async with cal_env.tools("101") as tools:
            await tools.call("list_events")  # warm the session
            up = await _book(tools, "Up", 3)
            await _wait_for(lambda: _all_done(cal_env, "Up"))

            await cal_env.google.stop()  # Google unreachable: connections refused
            down = await _book(tools, "Down", 4)
            box = await _outbox(cal_env)
            assert all(box[f"Down {i}"] != "done" for i in range(CALLS)), box
            async with cal_env.db.scoped(cal_env.tenant_id) as session:
                titles = set((await session.execute(select(Event.title))).scalars())
            assert {f"Down {i}" for i in range(CALLS)} <= titles  # committed, not waiting

            async def failing() -> bool:
                status = (await cal_env.connections.status(cal_env.tenant_id, user_id))[0]
                return bool(status["failures"] >= 1 and status["last_error"])

            await _wait_for(failing)
            status = (await cal_env.connections.status(cal_env.tenant_id, user_id))[0]
            assert status["pending_pushes"] == CALLS

            await cal_env.google.start()  # Google is back: the worker catches up by itself
            await _wait_for(lambda: _all_done(cal_env, "Down"))
    finally:
        stop.set()
        await task
    summaries = {i["summary"] for i in cal_env.state.calendar().values()}
    assert {f"Down {i}" for i in range(CALLS)} <= summaries
    status = (await cal_env.connections.status(cal_env.tenant_id, user_id))[0]
    assert status["failures"] == 0 and status["pending_pushes"] == 0
    print(
        f"\ncreate_event over MCP ({cal_env.backend}), ms per call: "
        f"Google up p50 {statistics.median(up):.1f} max {max(up):.1f} | "
        f"Google down p50 {statistics.median(down):.1f} max {max(down):.1f}"
    )


async def _all_done(env: CalEnv, label: str, count: int = CALLS) -> bool:
    box = await _outbox(env)
    mine = [s for t, s in box.items() if t.startswith(label)]
    return len(mine) == count and all(s == "done" for s in mine)


async def test_agent_turn_that_books_is_as_fast_with_google_down(
    cal_env: CalEnv, tmp_path: Path
) -> None:
    """The same through the agent: a turn whose model calls create_event, timed by the turn."""
    await cal_env.connect("101")
    day = (datetime.now(UTC) + timedelta(days=5)).date().isoformat()
    steps = [
        tool_call("create_event", f"c{i}", title=f"Agent {i}", start=f"{day}T{9 + i:02d}:00")
        for i in range(2 * TURNS)
    ]
    settings = agent_settings(tmp_path, speak_tool_results=True, turn_budget_s=10.0)
    cfg = cal_env.cfg.model_copy(update={"failure_backoff_max_s": 0.3})
    worker = CalendarSync(cal_env.db, cfg, cal_env.vault)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    up: list[float] = []
    down: list[float] = []
    try:
        async with cal_env.tool_server("101") as (url, token):
            runtime = await AgentRuntime.start(
                settings,
                model=scripted(*steps),
                checkpoint=f"sqlite:///{tmp_path / 'agent.db'}",
                tools_url=url,
            )
            try:
                session = await AgentSession.open(settings, token, ALICE, runtime=runtime)
                try:
                    for i in range(2 * TURNS):
                        if i == TURNS:
                            await cal_env.google.stop()
                        _, result = await run_turn(session, f"book agent meeting {i}")
                        assert result.error is None and result.tool_calls[0].ok, result.text
                        (up if i < TURNS else down).append(result.timings.total_s * 1000)
                finally:
                    await session.close()
            finally:
                await runtime.aclose()
        box = await _outbox(cal_env)
        # Booked while Google was down: kept for later (pending, or failed and retried).
        assert all(box[f"Agent {i}"] != "done" for i in range(TURNS, 2 * TURNS)), box
        await cal_env.google.start()
        await _wait_for(lambda: _all_done(cal_env, "Agent", 2 * TURNS))
    finally:
        stop.set()
        await task
    print(
        f"\nagent turn booking an event ({cal_env.backend}), ms: "
        f"Google up p50 {statistics.median(up):.1f} max {max(up):.1f} | "
        f"Google down p50 {statistics.median(down):.1f} max {max(down):.1f}"
    )
