"""The tool catalogue as the planner sees it: one compact line per tool, always the same bytes.

Built from the tool server's own schemas (OpenAI function format), so a new tool appears
without touching the agent. Arguments the model must never set (``confirm``: only the
caller's spoken yes produces it; ``limit``, ``include_past``: defaults serve a phone call) are
left out of both the catalogue and the output grammar. Tools are grouped in a fixed order so
that the rendered text, which heads every prompt, is byte-identical from call to call (the
local model's prompt cache then skips reading it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

HIDDEN_ARGS = frozenset({"confirm", "limit", "include_past"})
"""Arguments the model never sees nor sets."""

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Personal todos", ("create_todo", "list_todos", "get_todo", "update_todo",
                        "complete_todo", "delete_todo", "search_todos")),
    ("Reminders (a call at a set time)", ("create_reminder", "list_reminders",
                                          "update_reminder", "cancel_reminder",
                                          "snooze_reminder")),
    ("Calendar", ("create_event", "list_events", "get_event", "update_event", "delete_event",
                  "find_free_slots", "check_conflicts")),
    ("Teams", ("list_teams", "get_team", "list_team_members", "create_team",
               "add_team_member", "remove_team_member", "change_member_role")),
    ("Team work", ("create_team_todo", "assign_todo", "list_team_todos",
                   "list_my_assignments")),
    ("People", ("search_users", "get_user", "get_my_profile", "update_my_profile")),
    ("Reports", ("report_team_workload", "report_overdue")),
    ("Phone", ("transfer_to_department", "request_callback", "get_departments")),
)  # fmt: skip
"""Display order of the known tools; unknown ones follow under "Other"."""

ENUMS: dict[str, tuple[str, ...]] = {
    "priority": ("low", "normal", "high", "urgent"),
    "status": ("open", "in progress", "done", "all"),
    "role": ("owner", "admin", "member", "viewer"),
}
"""Arguments whose values come from a fixed set (the grammar allows only these)."""


@dataclass(frozen=True)
class Arg:
    """One argument the model may set."""

    name: str
    kind: str
    """``string``, ``integer``, ``boolean`` or ``array`` (of strings)."""
    required: bool


@dataclass(frozen=True)
class ToolSpec:
    """One tool as the planner knows it."""

    name: str
    description: str
    args: tuple[Arg, ...]

    @property
    def signature(self) -> str:
        """``create_todo(title, due?, priority?, notes?)``."""
        parts = [a.name if a.required else f"{a.name}?" for a in self.args]
        return f"{self.name}({', '.join(parts)})"


def _kind(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind is None:
        options = [o.get("type") for o in schema.get("anyOf", []) if isinstance(o, dict)]
        kind = next((k for k in options if k and k != "null"), "string")
    return str(kind) if kind in ("string", "integer", "boolean", "array") else "string"


def spec_of(schema: Mapping[str, Any]) -> ToolSpec:
    """A :class:`ToolSpec` from an OpenAI tool schema (hidden arguments dropped)."""
    function = schema.get("function", schema)
    params = function.get("parameters", {}) or {}
    required = set(params.get("required", ()))
    args = tuple(
        Arg(name, _kind(prop), name in required)
        for name, prop in (params.get("properties") or {}).items()
        if name not in HIDDEN_ARGS
    )
    ordered = tuple(a for a in args if a.required) + tuple(a for a in args if not a.required)
    description = " ".join(str(function.get("description", "")).split()).split(". ")[0]
    return ToolSpec(str(function["name"]), description.rstrip("."), ordered)


def ordered_specs(schemas: Iterable[Mapping[str, Any]]) -> list[ToolSpec]:
    """Specs in the fixed display order (known groups first, then the rest by name)."""
    specs = {s.name: s for s in map(spec_of, schemas)}
    known = [name for _, names in GROUPS for name in names]
    rest = sorted(set(specs) - set(known))
    return [specs[n] for n in known if n in specs] + [specs[n] for n in rest]


def render(specs: Sequence[ToolSpec]) -> str:
    """The catalogue text: a header per group, one line per tool."""
    by_name = {s.name: s for s in specs}
    lines: list[str] = []
    placed: set[str] = set()
    for header, names in GROUPS:
        present = [by_name[n] for n in names if n in by_name]
        if present:
            lines.append(f"# {header}")
            lines += [f"{s.signature}: {s.description}" for s in present]
            placed |= {s.name for s in present}
    others = [s for s in specs if s.name not in placed]
    if others:
        lines.append("# Other")
        lines += [f"{s.signature}: {s.description}" for s in others]
    return "\n".join(lines)


def visible_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """An OpenAI tool schema without the hidden arguments (for models that call tools)."""
    function = dict(schema.get("function", schema))
    params = dict(function.get("parameters", {}) or {})
    props = {k: v for k, v in (params.get("properties") or {}).items() if k not in HIDDEN_ARGS}
    params["properties"] = props
    params["required"] = [r for r in params.get("required", ()) if r in props]
    function["parameters"] = params
    return {"type": "function", "function": function}
