"""Scoring the agent on request and answer sets (:mod:`agent.cases`): accuracy and latency.

The environment (a fresh copy of the world's data, the tool server, the model) is the caller's
business: :func:`run_request` needs a :class:`CaseWorld`, which opens a session on fresh data
and reports the writes the data side audited. Timings separate the filler ("one moment") from
the first real sentence, which is the figure that counts.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from agent.cases import (
    AnswerCase,
    Call,
    Observed,
    RequestCase,
    Verdict,
    Write,
    judge_request,
    rate,
)
from agent.events import Filler, Sentence, ToolFinished, ToolStarted, TurnResult
from agent.session import AgentSession

DESTRUCTIVE_ACTIONS = frozenset(
    {"todo.delete", "event.delete", "reminder.cancel", "team.remove_member", "team.change_role"}
)


class CaseWorld(Protocol):
    """Fresh data for one case: a session on it, and what was written to it."""

    @property
    def item_ids(self) -> Mapping[str, str]:
        """Seeded item titles (lower case) → their ids, as the audit log names targets."""
        ...

    def session(self) -> AbstractAsyncContextManager[AgentSession]:
        """A new call's agent session on this world."""
        ...

    async def writes(self) -> list[Write]:
        """Every successful change audited so far, oldest first."""
        ...


@dataclass(frozen=True)
class TurnRecord:
    """What one turn did and when."""

    calls: tuple[Call, ...]
    reply: str
    first_sentence_s: float | None
    filler_s: float | None
    total_s: float
    error: str | None


async def run_turn(session: AgentSession, text: str) -> TurnRecord:
    """One turn, observed: tool calls with what they resolved to, the reply, the timings."""
    started = time.monotonic()
    calls: dict[str, Call] = {}
    order: list[str] = []
    first: float | None = None
    filler: float | None = None
    result: TurnResult | None = None
    async for out in session.turn(text):
        if isinstance(out, Sentence) and first is None:
            first = time.monotonic() - started
        elif isinstance(out, Filler) and filler is None:
            filler = time.monotonic() - started
        elif isinstance(out, ToolStarted) and not out.probe:
            calls[out.call_id] = Call(out.name, dict(out.args))
            order.append(out.call_id)
        elif isinstance(out, ToolFinished) and not out.probe:
            item = out.data.get("item") if out.ok else None
            title = str(item.get("title")) if isinstance(item, dict) else None
            calls[out.call_id] = Call(out.name, dict(out.args), out.ok, title)
            if out.call_id not in order:
                order.append(out.call_id)
        elif isinstance(out, TurnResult):
            result = out
    assert result is not None, "a turn always ends with a TurnResult"
    return TurnRecord(
        calls=tuple(calls[i] for i in order),
        reply=result.text,
        first_sentence_s=first,
        filler_s=filler,
        total_s=time.monotonic() - started,
        error=result.error,
    )


@dataclass(frozen=True)
class RequestResult:
    """How one request case went."""

    id: str
    family: str
    said: str
    calls: list[tuple[str, dict[str, Any], bool, str | None]]
    reply: str
    verdict: Verdict
    has_item: bool
    first_sentence_s: float | None
    filler_s: float | None
    total_s: float
    error: str | None


async def run_request(
    world: CaseWorld, case: RequestCase, dates: Mapping[str, str]
) -> RequestResult:
    """Play every turn of ``case`` in one call on ``world`` and judge the last one."""
    unconfirmed = 0
    asked_before = False
    async with world.session() as session:
        for index, text in enumerate(case.turns):
            before = len(await world.writes())
            turn = await run_turn(session, text)
            writes = (await world.writes())[before:]
            last = index == len(case.turns) - 1
            risky = not asked_before or (last and case.no_write)
            unconfirmed += sum(1 for w in writes if w.action in DESTRUCTIVE_ACTIONS) if risky else 0
            asked_before = "?" in turn.reply
    seen = Observed(turn.calls, turn.reply, tuple(writes), unconfirmed)
    verdict = judge_request(case, seen, dates, world.item_ids)
    return RequestResult(
        case.id, case.family, case.turns[-1],
        [(c.name, c.args, c.ok, c.item) for c in turn.calls], turn.reply, verdict,
        case.item is not None, turn.first_sentence_s, turn.filler_s, turn.total_s, turn.error,
    )  # fmt: skip


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (nearest rank), None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return round(ordered[rank], 3)


def summarise_requests(results: Sequence[RequestResult], budget_s: float) -> dict[str, Any]:
    """Accuracy, safety and latency figures of one request set."""
    firsts = [r.first_sentence_s for r in results if r.first_sentence_s is not None]
    totals = [r.total_s for r in results]
    families: dict[str, list[RequestResult]] = {}
    for r in results:
        families.setdefault(r.family, []).append(r)
    return {
        "requests": len(results),
        "right": rate([r.verdict.right for r in results]),
        "right_first_tool": rate([r.verdict.tool for r in results]),
        "right_item": rate([r.verdict.item for r in results if r.has_item]),
        "guessed_item_writes": sum(r.verdict.guessed_writes for r in results),
        "destructive_without_yes": sum(r.verdict.destructive_unconfirmed for r in results),
        "writes_when_none_allowed": sum(not r.verdict.no_write for r in results),
        "first_sentence_p50_s": percentile(firsts, 50),
        "first_sentence_p95_s": percentile(firsts, 95),
        "no_sentence": len(results) - len(firsts),
        "fillers": sum(r.filler_s is not None for r in results),
        "total_p50_s": percentile(totals, 50),
        "total_p95_s": percentile(totals, 95),
        "mean_total_s": round(statistics.fmean(totals), 3) if totals else None,
        "over_budget": sum(t > budget_s for t in totals),
        "errors": sum(r.error is not None for r in results),
        "per_family": {
            f: {"requests": len(rs), "right": rate([r.verdict.right for r in rs])}
            for f, rs in sorted(families.items())
        },
        "failures": [
            {
                "id": r.id,
                "failed": list(r.verdict.failed_checks),
                "calls": r.calls[:3],
                "reply": r.reply[:160],
            }
            for r in results
            if not r.verdict.right
        ],
    }


@dataclass(frozen=True)
class AnswerResult:
    """How one answer case was understood."""

    id: str
    dialog: str
    expect: str
    got: str
    elapsed_s: float

    @property
    def right(self) -> bool:
        """The answer was understood as expected."""
        return self.got == self.expect


class AnswerReader(Protocol):
    """What understands dialog answers (:class:`agent.understanding.answers.AnswerReader`)."""

    async def read(self, dialog: str, question: str, said: str) -> str:
        """The label ``said`` is understood as."""
        ...


async def run_answers(
    reader: AnswerReader, cases: Sequence[AnswerCase]
) -> AsyncIterator[AnswerResult]:
    """Each answer case in turn, yielded as it is understood."""
    for case in cases:
        started = time.monotonic()
        got = await reader.read(case.dialog, case.question, case.say)
        yield AnswerResult(case.id, case.dialog, case.expect, got, time.monotonic() - started)


def summarise_answers(results: Sequence[AnswerResult]) -> dict[str, Any]:
    """Accuracy per dialog and latency of one answer set."""
    dialogs: dict[str, list[AnswerResult]] = {}
    for r in results:
        dialogs.setdefault(r.dialog, []).append(r)
    times = [r.elapsed_s for r in results]
    return {
        "answers": len(results),
        "right": rate([r.right for r in results]),
        "p50_s": percentile(times, 50),
        "p95_s": percentile(times, 95),
        "per_dialog": {d: rate([r.right for r in rs]) for d, rs in sorted(dialogs.items())},
        "failures": [
            {"id": r.id, "expect": r.expect, "got": r.got} for r in results if not r.right
        ],
    }


def as_dict(result: RequestResult | AnswerResult) -> dict[str, Any]:
    """A result as plain data."""
    return asdict(result)
