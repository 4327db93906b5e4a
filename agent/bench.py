"""Scoring the agent on the request set (:mod:`agent.benchset`): tool and argument accuracy,
latency percentiles. The environment (database, tool server, model) is the caller's business:
:func:`run_cases` only needs a way to open a fresh session per request.
"""

from __future__ import annotations

import statistics
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from agent.benchset import Case
from agent.events import ToolStarted, TurnResult
from agent.prompts import zone_of
from agent.session import AgentSession


@dataclass(frozen=True)
class CaseResult:
    """How one request went."""

    id: str
    family: str
    text: str
    called: list[tuple[str, dict[str, Any]]]
    tool_ok: bool
    args_ok: bool
    total_s: float
    first_sentence_s: float | None
    reply: str
    error: str | None


def relative_dates(now: datetime, timezone: str) -> dict[str, str]:
    """ISO dates the expectations may name, in the caller's timezone."""
    today = now.astimezone(zone_of(timezone)).date()

    def upcoming(weekday: int, skip_today: bool = True) -> date:
        ahead = (weekday - today.weekday()) % 7
        return today + timedelta(days=ahead or (7 if skip_today else 0))

    return {
        "tomorrow": (today + timedelta(days=1)).isoformat(),
        "in2days": (today + timedelta(days=2)).isoformat(),
        "next_monday": upcoming(0).isoformat(),
        "thursday": upcoming(3).isoformat(),
        "friday": upcoming(4).isoformat(),
    }


def condition_holds(condition: str, value: Any, dates: dict[str, str]) -> bool:
    """True when one of the ``|`` alternatives of ``condition`` is in ``value``'s text."""
    text = str(value).lower()
    return any(alt.format(**dates).lower() in text for alt in condition.split("|"))


def judge(
    case: Case, called: Sequence[tuple[str, dict[str, Any]]], dates: dict[str, str]
) -> tuple[bool, bool]:
    """(right first tool, right first tool with the expected arguments)."""
    if case.tools is None:
        return (not called, not called)
    if not called or called[0][0] not in case.tools:
        return (False, False)
    if called[0][0] != case.tools[0]:
        return (True, not case.args)
    args = called[0][1]
    ok = all(
        key in args and all(condition_holds(c, args[key], dates) for c in conditions)
        for key, conditions in case.args.items()
    )
    return (True, ok)


SessionOpener = Callable[[], AbstractAsyncContextManager[AgentSession]]


async def run_case(open_session: SessionOpener, case: Case, dates: dict[str, str]) -> CaseResult:
    """Ask one request in a fresh session and judge the outcome."""
    called: list[tuple[str, dict[str, Any]]] = []
    result: TurnResult | None = None
    async with open_session() as session:
        async for out in session.turn(case.text):
            if isinstance(out, ToolStarted):
                called.append((out.name, out.args))
            elif isinstance(out, TurnResult):
                result = out
    assert result is not None
    tool_ok, args_ok = judge(case, called, dates)
    return CaseResult(
        case.id, case.family, case.text, called, tool_ok, args_ok,
        result.timings.total_s, result.timings.first_sentence_s, result.text, result.error,
    )  # fmt: skip


async def run_cases(
    open_session: SessionOpener, cases: Sequence[Case], dates: dict[str, str]
) -> AsyncIterator[CaseResult]:
    """Each request in turn (yielded as they finish, for progress output)."""
    for case in cases:
        yield await run_case(open_session, case, dates)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (nearest rank), None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return round(ordered[rank], 3)


def summarise(results: Sequence[CaseResult], budget_s: float) -> dict[str, Any]:
    """Accuracy and latency figures of one run."""
    n = len(results)
    totals = [r.total_s for r in results]
    firsts = [r.first_sentence_s for r in results if r.first_sentence_s is not None]
    families: dict[str, list[CaseResult]] = {}
    for r in results:
        families.setdefault(r.family, []).append(r)
    return {
        "requests": n,
        "tool_accuracy": round(sum(r.tool_ok for r in results) / n, 3) if n else None,
        "args_accuracy": round(sum(r.args_ok for r in results) / n, 3) if n else None,
        "latency_p50_s": percentile(totals, 50),
        "latency_p95_s": percentile(totals, 95),
        "first_sentence_p50_s": percentile(firsts, 50),
        "first_sentence_p95_s": percentile(firsts, 95),
        "mean_s": round(statistics.fmean(totals), 3) if totals else None,
        "over_budget": sum(t > budget_s for t in totals),
        "errors": sum(r.error is not None for r in results),
        "per_family": {
            f: {
                "requests": len(rs),
                "tool_accuracy": round(sum(r.tool_ok for r in rs) / len(rs), 3),
                "args_accuracy": round(sum(r.args_ok for r in rs) / len(rs), 3),
            }
            for f, rs in sorted(families.items())
        },
        "failures": [
            {"id": r.id, "called": r.called, "reply": r.reply[:120], "error": r.error}
            for r in results
            if not r.args_ok
        ],
    }


def as_dict(result: CaseResult) -> dict[str, Any]:
    """A case result as plain data."""
    return asdict(result)
