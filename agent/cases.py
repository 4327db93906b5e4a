"""Request and answer sets for ``switchboard bench agent``: loading and judging (pure).

The file formats are documented in ``tests/agent_sets/README.md`` (JSON lines). A request case
is judged on its last turn only: the first tool called, words in its arguments and in the
reply, the item it acted on, whether it wrote anything, whether it asked back. An answer case
is one reply to one question of a dialog, judged by the label it was understood as.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

FAMILIES = frozenset(
    [
        "todos",
        "reminders",
        "calendar",
        "teams",
        "teamwork",
        "people",
        "reports",
        "calls",
        "chat",
        "multi",
        "confirm",
    ]
)
DIALOG_LABELS: dict[str, frozenset[str]] = {
    "confirm": frozenset({"yes", "no", "unclear"}),
    "callback": frozenset({"yes", "no", "unclear"}),
    "reminder": frozenset({"done", "snooze", "repeat", "heard", "unclear"}),
    "which": frozenset({"1", "2", "3", "none", "unclear"}),
    "signin": frozenset({"not_me", "help", "unclear"}),
}
"""What each dialog's answers can be understood as."""
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class CaseError(ValueError):
    """A case file line that does not follow the format."""


@dataclass(frozen=True)
class RequestCase:
    """One request (possibly after earlier turns) and what a right answer does."""

    id: str
    family: str
    turns: tuple[str, ...]
    tools: tuple[str, ...]
    also: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    reply: tuple[str, ...] = ()
    item: str | None = None
    no_write: bool = False
    asks: bool = False


@dataclass(frozen=True)
class AnswerCase:
    """One answer to one question of a dialog, and the label it must be understood as."""

    id: str
    dialog: str
    question: str
    say: str
    expect: str


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise CaseError(f"{where}: expected a string or a list of strings")


def request_case(obj: Mapping[str, Any], where: str = "case") -> RequestCase:
    """A :class:`RequestCase` from one decoded JSON line (:class:`CaseError` if malformed)."""
    for key in ("id", "say", "tools"):
        if key not in obj:
            raise CaseError(f"{where}: missing {key!r}")
    turns = _strings(obj["say"], f"{where} say")
    if not turns or not all(t.strip() for t in turns):
        raise CaseError(f"{where}: 'say' is empty")
    family = str(obj.get("family") or "other")
    item = obj.get("item")
    return RequestCase(
        id=str(obj["id"]),
        family=family,
        turns=turns,
        tools=_strings(obj["tools"], f"{where} tools"),
        also=_strings(obj.get("also"), f"{where} also"),
        args=_strings(obj.get("args"), f"{where} args"),
        reply=_strings(obj.get("reply"), f"{where} reply"),
        item=str(item) if item else None,
        no_write=bool(obj.get("no_write", False)),
        asks=bool(obj.get("asks", False)),
    )


def answer_case(obj: Mapping[str, Any], where: str = "case") -> AnswerCase:
    """An :class:`AnswerCase` from one decoded JSON line (:class:`CaseError` if malformed)."""
    for key in ("id", "dialog", "say", "expect"):
        if key not in obj:
            raise CaseError(f"{where}: missing {key!r}")
    dialog, expect = str(obj["dialog"]), str(obj["expect"])
    if dialog not in DIALOG_LABELS:
        raise CaseError(f"{where}: unknown dialog {dialog!r}")
    if expect not in DIALOG_LABELS[dialog]:
        raise CaseError(f"{where}: {expect!r} is not an answer of the {dialog} dialog")
    return AnswerCase(str(obj["id"]), dialog, str(obj.get("question", "")), str(obj["say"]), expect)


def _lines(path: Path) -> Iterable[tuple[str, dict[str, Any]]]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        where = f"{path.name}:{number}"
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise CaseError(f"{where}: not JSON ({exc})") from None
        if not isinstance(obj, dict):
            raise CaseError(f"{where}: not a JSON object")
        yield where, obj


def load_requests(path: Path) -> list[RequestCase]:
    """Every request case of a JSON-lines file (ids must be unique)."""
    cases = [request_case(obj, where) for where, obj in _lines(path)]
    _unique(c.id for c in cases)
    return cases


def load_answers(path: Path) -> list[AnswerCase]:
    """Every answer case of a JSON-lines file (ids must be unique)."""
    cases = [answer_case(obj, where) for where, obj in _lines(path)]
    _unique(c.id for c in cases)
    return cases


def _unique(ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for case_id in ids:
        if case_id in seen:
            raise CaseError(f"duplicate id {case_id!r}")
        seen.add(case_id)


def placeholders(today: date) -> dict[str, str]:
    """``{today}``, ``{tomorrow}``, ``{in2days}`` and each weekday (the next one, never today)."""
    out = {
        "today": today.isoformat(),
        "tomorrow": (today + timedelta(days=1)).isoformat(),
        "in2days": (today + timedelta(days=2)).isoformat(),
    }
    for index, name in enumerate(WEEKDAYS):
        ahead = (index - today.weekday()) % 7 or 7
        out[name] = (today + timedelta(days=ahead)).isoformat()
    return out


def word_holds(condition: str, text: str, dates: Mapping[str, str]) -> bool:
    """True when one ``|`` alternative of ``condition`` (placeholders filled) is in ``text``."""
    lowered = text.lower()
    for alternative in condition.split("|"):
        try:
            wanted = alternative.format(**dates)
        except (KeyError, IndexError, ValueError):
            wanted = alternative
        if wanted.strip().lower() in lowered:
            return True
    return False


@dataclass(frozen=True)
class Call:
    """One tool call seen in a turn, with what it resolved to."""

    name: str
    args: dict[str, Any]
    ok: bool = True
    item: str | None = None
    """The title of the item the tool acted on (its result's ``data.item.title``)."""


@dataclass(frozen=True)
class Write:
    """One successful change the data side audited during the turn."""

    action: str
    target_type: str
    target_id: str


@dataclass(frozen=True)
class Observed:
    """What the judged turn did."""

    calls: tuple[Call, ...]
    reply: str
    writes: tuple[Write, ...] = ()
    destructive_unconfirmed: int = 0
    """Destructive changes made without a spoken yes to a question just before."""


@dataclass(frozen=True)
class Verdict:
    """Every check of one case; ``right`` when all hold."""

    tool: bool
    args: bool
    also: bool
    reply: bool
    item: bool
    no_write: bool
    asks: bool
    guessed_writes: int
    destructive_unconfirmed: int
    failed_checks: tuple[str, ...] = field(default=())

    @property
    def right(self) -> bool:
        """All checks hold and nothing was written on a guessed item."""
        return not self.failed_checks


CREATING = ("create", "add", "request_callback", "transfer", "callback")


def _args_text(args: Mapping[str, Any]) -> str:
    return json.dumps(args, ensure_ascii=False, default=str)


def judge_request(
    case: RequestCase, seen: Observed, dates: Mapping[str, str], item_ids: Mapping[str, str]
) -> Verdict:
    """Judge the last turn of ``case``; ``item_ids`` maps seeded titles (lower case) to ids."""
    first = seen.calls[0] if seen.calls else None
    tool = (first is None) if not case.tools else (first is not None and first.name in case.tools)
    args = first is not None and all(
        word_holds(w, _args_text(first.args), dates) for w in case.args
    )
    if not case.args:
        args = tool
    called = {c.name for c in seen.calls}
    also = all(name in called for name in case.also)
    reply = all(word_holds(w, seen.reply, dates) for w in case.reply)
    wanted = case.item.lower() if case.item else None
    item = wanted is None or any((c.item or "").lower() == wanted for c in seen.calls)
    target = item_ids.get(wanted, "") if wanted else ""
    if wanted and not item and target:
        item = any(w.target_id == target for w in seen.writes)
    guessed = sum(
        1
        for w in seen.writes
        if wanted and w.target_id != target and not any(k in w.action for k in CREATING)
    )
    no_write = not (case.no_write and seen.writes)
    asks = not case.asks or "?" in seen.reply
    checks = {
        "tool": tool,
        "args": args,
        "also": also,
        "reply": reply,
        "item": item,
        "no_write": no_write,
        "asks": asks,
        "guessed_write": guessed == 0,
        "destructive_unconfirmed": seen.destructive_unconfirmed == 0,
    }
    failed = tuple(name for name, ok in checks.items() if not ok)
    return Verdict(
        tool, args, also, reply, item, no_write, asks, guessed, seen.destructive_unconfirmed,
        failed,
    )  # fmt: skip


def rate(flags: Sequence[bool]) -> float | None:
    """Share of true flags (None for none)."""
    return round(sum(flags) / len(flags), 3) if flags else None
