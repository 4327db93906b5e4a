"""The same action on another kind of item: "cancel the dentist" may be an event or a reminder.

Callers do not say which list a thing is on. When a tool acting on a named item finds nothing
of its kind, the same action on the other kinds is tried with the same words (arguments
renamed to fit), and the first kind that knows the item wins. Pure: which tool and arguments
to try next.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FAMILIES: tuple[dict[str, str], ...] = (
    {"todo": "delete_todo", "event": "delete_event", "reminder": "cancel_reminder"},
    {"todo": "update_todo", "event": "update_event", "reminder": "update_reminder"},
    {"todo": "get_todo", "event": "get_event"},
)
"""Tools that do the same thing to a todo, an event or a reminder."""

RENAMES: dict[str, dict[str, str]] = {
    "todo": {"due": "due", "start": "due", "when": "due", "title": "title", "text": "title"},
    "event": {"due": "start", "start": "start", "when": "start", "title": "title", "text": "title"},
    "reminder": {"due": "when", "start": "when", "when": "when", "title": "text", "text": "text"},
}
"""How a change's arguments are called for each kind."""

KEEP = {
    "todo": {"notes", "priority", "status"},
    "event": {"duration", "location", "attendees"},
    "reminder": set(),
}
"""Arguments that exist for one kind only (dropped when moving to another)."""


def kind_of(tool: str) -> str | None:
    """The kind of item ``tool`` acts on, when it is one of the sibling families."""
    for family in FAMILIES:
        for kind, name in family.items():
            if name == tool:
                return kind
    return None


KIND_WORDS: dict[str, tuple[str, ...]] = {
    "todo": ("todo", "to do", "to-do", "task", "list", "chore"),
    "event": ("event", "meeting", "appointment", "calendar", "call with", "lunch", "dinner"),
    "reminder": ("reminder", "remind", "nudge"),
}
"""Words by which a caller says which kind of item they mean."""


def as_kind(tool: str, args: Mapping[str, Any], kind: str) -> tuple[str, dict[str, Any]] | None:
    """The same request aimed at an item of ``kind`` (None when there is no such tool)."""
    if kind_of(tool) == kind:
        return tool, dict(args)
    return next(((n, a) for n, a in alternatives(tool, args) if kind_of(n) == kind), None)


def alternatives(
    tool: str, args: Mapping[str, Any], said: str = ""
) -> list[tuple[str, dict[str, Any]]]:
    """The same request on the other kinds: ``[(tool, args), ...]``, the kinds the caller's
    words name first."""
    source = kind_of(tool)
    if source is None:
        return []
    family = next(f for f in FAMILIES if f.get(source) == tool)
    reference = args.get(source)
    if not isinstance(reference, str) or reference.startswith("#"):
        return []
    out: list[tuple[str, dict[str, Any]]] = []
    for kind, name in family.items():
        if kind == source:
            continue
        moved: dict[str, Any] = {kind: reference}
        for key, value in args.items():
            if key == source:
                continue
            if key in RENAMES[kind]:
                moved[RENAMES[kind][key]] = value
            elif key in KEEP[kind]:
                moved[key] = value
        out.append((name, moved))
    lowered = said.lower()
    named = {k for k, words in KIND_WORDS.items() if any(w in lowered for w in words)}
    return sorted(out, key=lambda pair: kind_of(pair[0]) not in named)
