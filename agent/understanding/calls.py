"""Reading the planner's output (:mod:`.grammar`): lines of calls into actions. Pure.

Each line is parsed as a Python call expression with :mod:`ast` (never evaluated): the
function name, then keyword arguments whose values are literals (strings, numbers, booleans,
lists of strings). Anything else on a line makes that line unreadable, and it is dropped.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

SPEECH_ACTIONS = frozenset({"say", "goodbye"})

ActionKind = Literal["call", "say", "goodbye"]


@dataclass(frozen=True)
class Planned:
    """One action of the plan: a tool call, or words to say (and maybe hang up)."""

    kind: ActionKind
    name: str = ""
    args: dict[str, Any] = field(default_factory=dict)
    text: str = ""


def _literal(node: ast.expr) -> Any:
    value = ast.literal_eval(node)
    if isinstance(value, str | int | bool):
        return value
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ValueError("unsupported value")


def parse_line(line: str, known: Iterable[str] | None = None) -> Planned | None:
    """One action from one line (None when it is not a readable call)."""
    try:
        node = ast.parse(line.strip(), mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        return None
    name = node.func.id
    try:
        if name in SPEECH_ACTIONS:
            parts = [_literal(a) for a in node.args] + [_literal(k.value) for k in node.keywords]
            text = " ".join(str(p) for p in parts if isinstance(p, str)).strip()
            kind: ActionKind = "goodbye" if name == "goodbye" else "say"
            return Planned(kind, name, {}, text) if text or kind == "goodbye" else None
        if known is not None and name not in set(known):
            return None
        if node.args:
            return None
        args = {k.arg: _literal(k.value) for k in node.keywords if k.arg}
    except (ValueError, SyntaxError, TypeError):
        return None
    return Planned("call", name, {k: v for k, v in args.items() if v not in ("", None)})


def parse_plan(text: str, known: Iterable[str] | None = None) -> list[Planned]:
    """Every readable action of the planner's output, in order."""
    names = set(known) if known is not None else None
    actions = [parse_line(line, names) for line in text.strip().splitlines() if line.strip()]
    return [a for a in actions if a is not None]


def speech_prefix(text: str) -> str | None:
    """While streaming: the words of a ``say("...`` / ``goodbye("...`` written so far."""
    for name in SPEECH_ACTIONS:
        head = f'{name}("'
        if text.startswith(head):
            body = text[len(head) :]
            end = body.find('"')
            return body if end < 0 else body[:end]
    return None
