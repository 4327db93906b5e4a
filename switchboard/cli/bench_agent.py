"""``switchboard bench agent``: how well and how fast the agent understands callers.

Request sets (``--cases FILE``, JSON lines, format in ``tests/agent_sets/README.md``) run each
request in a fresh call on a fresh copy of the bench world (:mod:`mcp_tools.seed_world`)
served by the real tool server; answer sets (``--answers FILE``) ask the dialog-answer reader.
Without ``--cases``/``--answers`` the repository's tuning and held-out test sets are used when
present. The configured model is used (the bundled local model by default, started for the
run and stopped after), at the production turn budget unless ``--turn-budget`` says otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import shutil
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from switchboard.cli.common import AppContext, emit, json_option, pass_app
from switchboard.settings import Settings

if TYPE_CHECKING:
    from agent.cases import AnswerCase, RequestCase, Write
    from agent.runtime import AgentRuntime
    from agent.session import AgentSession
    from mcp_tools.db.session import Database
    from mcp_tools.tokens import TokenService

T = TypeVar("T")
SETS_DIR = Path("tests/agent_sets")
DEFAULT_REQUESTS = ("requests_tuning.jsonl", "requests_test.jsonl")
DEFAULT_ANSWERS = ("answers_tuning.jsonl", "answers_test.jsonl")


@dataclass
class WorldTemplate:
    """The seeded bench world, once, as a database file each case copies."""

    path: Path
    tenant_id: int
    user_id: int
    timezone: str
    item_ids: dict[str, str] = field(default_factory=dict)


async def build_template(folder: Path, now: datetime) -> WorldTemplate:
    """Seed the bench world into ``folder/world.db`` and note its ids."""
    from sqlalchemy import select

    from mcp_tools.db import migrate
    from mcp_tools.db.models import Event, Reminder, Todo, User
    from mcp_tools.db.session import Database
    from mcp_tools.seed_world import CALLER_NUMBER, seed_world

    path = folder / "world.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await migrate.upgrade(db)
        demo = await seed_world(db, now)
        tenant = demo["tenant"]
        items: dict[str, str] = {}
        async with db.scoped(tenant["id"]) as session:
            me = await session.execute(select(User).where(User.user_number == CALLER_NUMBER))
            user = me.scalar_one()
            for todo in (await session.execute(select(Todo))).scalars():
                items[todo.title.lower()] = str(todo.id)
            for reminder in (await session.execute(select(Reminder))).scalars():
                items[reminder.text.lower()] = str(reminder.id)
            for event in (await session.execute(select(Event))).scalars():
                items[event.title.lower()] = str(event.id)
        return WorldTemplate(path, tenant["id"], user.id, tenant["timezone"], items)
    finally:
        await db.dispose()


class FreshWorld:
    """One case's copy of the world, served by its own tool server (a :class:`CaseWorld`)."""

    def __init__(
        self, template: WorldTemplate, folder: Path, runtime: AgentRuntime, tokens: TokenService
    ) -> None:
        self.template = template
        self._path = folder / f"case-{uuid.uuid4().hex[:8]}.db"
        self.runtime = runtime
        self._tokens = tokens
        self._db: Database | None = None
        self._url = ""

    @property
    def item_ids(self) -> Mapping[str, str]:
        """Seeded item titles (lower case) → their ids."""
        return self.template.item_ids

    @contextlib.asynccontextmanager
    async def serve(self) -> AsyncIterator[FreshWorld]:
        """Copy the world and serve it for the duration of the block."""
        from agent.llm_server import free_port
        from mcp_tools.app import running_http
        from mcp_tools.db.session import Database
        from mcp_tools.server import build_server

        shutil.copyfile(self.template.path, self._path)
        self._db = Database(f"sqlite+aiosqlite:///{self._path}")
        port = free_port()
        try:
            async with running_http(build_server(self._db, self._tokens, port=port),
                                    "127.0.0.1", port) as url:  # fmt: skip
                self._url = url
                yield self
        finally:
            await self._db.dispose()
            self._path.unlink(missing_ok=True)

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[AgentSession]:
        """A new call on this world, as the bench's caller (Alice Smith, owner)."""
        from agent import AgentSession, CallerContext

        call_id = uuid.uuid4().hex
        token = self._tokens.mint(
            tenant_id=self.template.tenant_id, user_id=self.template.user_id, role="owner",
            call_id=call_id,
        )  # fmt: skip
        caller = CallerContext("Alice Smith", "owner", self.template.timezone, (), call_id)
        session = await AgentSession.open(
            self.runtime.settings, token, caller, runtime=self.runtime,
            tools=self.runtime.toolbox(self._url, token),
        )  # fmt: skip
        try:
            yield session
        finally:
            await session.close()

    async def writes(self) -> list[Write]:
        """Successful changes audited in this world so far."""
        from sqlalchemy import select

        from agent.cases import Write
        from mcp_tools.db.models import AuditEntry

        assert self._db is not None
        async with self._db.scoped(self.template.tenant_id) as session:
            rows = await session.execute(
                select(AuditEntry).where(AuditEntry.outcome == "ok").order_by(AuditEntry.id)
            )
            return [Write(a.action, a.target_type, a.target_id) for a in rows.scalars()]


async def warm_up(world: FreshWorld) -> float:
    """Let the model read its fixed prompts before the first case (as a running app has)."""
    import time

    started = time.monotonic()
    async with world.serve(), world.session() as session:
        task = world.runtime.warm_up(session.tools.names, session.tools.schemas)
        if task is not None:
            await task
    return round(time.monotonic() - started, 2)


def default_files(names: Sequence[str]) -> list[Path]:
    """The repository's sets that exist (run from the repository root)."""
    return [SETS_DIR / n for n in names if (SETS_DIR / n).exists()]


async def run_bench(
    settings: Settings,
    request_files: Sequence[Path],
    answer_files: Sequence[Path],
    *,
    limit: int | None,
    only: Sequence[str],
    turn_budget_s: float,
    quiet: bool,
) -> dict[str, Any]:
    """Run every set; returns the figures per set."""
    from agent.bench import (
        as_dict,
        run_answers,
        run_request,
        summarise_answers,
        summarise_requests,
    )
    from agent.cases import load_answers, load_requests, placeholders
    from agent.runtime import AgentRuntime
    from mcp_tools.tokens import TokenService

    budgets = {"turn_budget_s": turn_budget_s, "tool_budget_s": min(8.0, turn_budget_s)}
    agent_settings = settings.agent.model_copy(update=budgets)
    out: dict[str, Any] = {
        "provider": settings.agent.provider,
        "model": settings.agent.effective_model,
        "turn_budget_s": turn_budget_s,
        "requests": {},
        "answers": {},
    }
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="sb-bench-agent-") as tmp:
        folder = Path(tmp)
        template = await build_template(folder, now)
        from zoneinfo import ZoneInfo

        dates = placeholders(now.astimezone(ZoneInfo(template.timezone)).date())
        runtime = await AgentRuntime.start(
            settings.model_copy(update={"agent": agent_settings}),
            checkpoint=f"sqlite:///{folder / 'state.db'}",
        )
        tokens = TokenService(secrets.token_bytes(32), ttl_s=3600)
        try:
            out["warm_up_s"] = await warm_up(FreshWorld(template, folder, runtime, tokens))
            for path in request_files:
                cases: list[RequestCase] = _pick(load_requests(path), only, limit)
                results = []
                for case in cases:
                    world = FreshWorld(template, folder, runtime, tokens)
                    async with world.serve():
                        r = await run_request(world, case, dates)
                    results.append(r)
                    if not quiet:
                        mark = "ok  " if r.verdict.right else "MISS"
                        first = f"{r.first_sentence_s:4.1f}s" if r.first_sentence_s else "  -  "
                        failed = ",".join(r.verdict.failed_checks)
                        line = f"[{path.stem}] {mark} {first} {r.id}: {r.calls[:2]} {failed}"
                        print(line, file=sys.stderr, flush=True)
                summary = summarise_requests(results, settings.agent.turn_budget_s)
                summary["cases"] = [as_dict(r) for r in results]
                out["requests"][path.stem] = summary
            for path in answer_files:
                answers: list[AnswerCase] = _pick(load_answers(path), only, limit)
                got = []
                async for a in run_answers(runtime.answer_reader(), answers):
                    got.append(a)
                    if not quiet:
                        mark = "ok  " if a.right else "MISS"
                        print(f"[{path.stem}] {mark} {a.elapsed_s:4.1f}s {a.id}: "
                              f"{a.expect} → {a.got}", file=sys.stderr, flush=True)  # fmt: skip
                out["answers"][path.stem] = summarise_answers(got)
        finally:
            await runtime.aclose()
    return out


def _pick(cases: list[T], only: Sequence[str], limit: int | None) -> list[T]:
    def keys(case: T) -> tuple[str, ...]:
        return tuple(str(getattr(case, k, "")) for k in ("id", "family", "dialog"))

    chosen = [c for c in cases if not only or any(o in keys(c) for o in only)]
    return chosen[:limit] if limit else chosen


def format_bench(result: Mapping[str, Any]) -> str:
    """Human-readable figures."""
    lines = [f"agent bench: {result['provider']} / {result['model']}, "
             f"turn budget {result['turn_budget_s']} s"]  # fmt: skip
    for name, s in result["requests"].items():
        lines.append(
            f"  {name}: {s['requests']} requests, right {s['right']:.0%} "
            f"(first tool {s['right_first_tool']:.0%}), guessed-item writes "
            f"{s['guessed_item_writes']}, destructive without yes {s['destructive_without_yes']}; "
            f"first real sentence p50 {s['first_sentence_p50_s']} s p95 "
            f"{s['first_sentence_p95_s']} s, fillers {s['fillers']}, errors {s['errors']}"
        )
        for family, f in s["per_family"].items():
            lines.append(f"      {family:<10} {f['right']:.0%} of {f['requests']}")
    for name, s in result["answers"].items():
        lines.append(
            f"  {name}: {s['answers']} answers, right {s['right']:.0%}, p50 {s['p50_s']} s, "
            f"p95 {s['p95_s']} s; " + ", ".join(f"{d} {v:.0%}" for d, v in s["per_dialog"].items())
        )
    return "\n".join(lines)


@click.command("agent")
@click.option("--cases", "case_files", type=click.Path(exists=True, path_type=Path),
              multiple=True, help="A request set (JSON lines); repeatable.")  # fmt: skip
@click.option("--answers", "answer_files", type=click.Path(exists=True, path_type=Path),
              multiple=True, help="A dialog-answer set (JSON lines); repeatable.")  # fmt: skip
@click.option("--only", multiple=True, help="Only these case ids, families or dialogs.")
@click.option("--limit", type=int, default=None, help="Only the first N cases of each set.")
@click.option("--turn-budget", type=float, default=None,
              help="Turn budget (default: the configured production budget).")  # fmt: skip
@json_option
@pass_app
def agent_bench(
    app: AppContext,
    case_files: tuple[Path, ...],
    answer_files: tuple[Path, ...],
    only: tuple[str, ...],
    limit: int | None,
    turn_budget: float | None,
    as_json: bool,
) -> None:
    """Accuracy, safety and latency of the agent on request and answer sets."""
    import logging

    logging.getLogger("mcp.server.streamable_http").setLevel(logging.CRITICAL)
    logging.getLogger("agent").setLevel(logging.ERROR)
    for name in ("httpx", "httpx2", "mcp"):
        logging.getLogger(name).setLevel(logging.WARNING)
    if not case_files and not answer_files:
        case_files = tuple(default_files(DEFAULT_REQUESTS))
        answer_files = tuple(default_files(DEFAULT_ANSWERS))
    if not case_files and not answer_files:
        raise click.UsageError("no sets found: give --cases FILE or --answers FILE")
    budget = turn_budget if turn_budget is not None else app.settings.agent.turn_budget_s
    result = asyncio.run(
        run_bench(app.settings, case_files, answer_files, limit=limit, only=only,
                  turn_budget_s=budget, quiet=as_json)
    )  # fmt: skip
    emit(result, as_json, format_bench)
