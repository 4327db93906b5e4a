"""Items named the way people name them: the domain side of :mod:`mcp_tools.resolve`.

Each tool that acts on a todo, reminder or event loads the caller's candidates and lets
:func:`pick` choose the one the caller's words mean (or ask which one, or say none fits).
Results carry ``data["item"]`` (kind, id, title) so the agent can see what was acted on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from mcp_tools.resolve import Candidate, resolve
from mcp_tools.timeparse import zone
from mcp_tools.work import Work

T = TypeVar("T")


def local_today(w: Work) -> date:
    """Today in the caller's timezone."""
    return w.now.astimezone(zone(w.tz)).date()


def local(w: Work, at: datetime | None) -> datetime | None:
    """An instant in the caller's timezone."""
    return at.astimezone(zone(w.tz)) if at is not None else None


def pick(
    w: Work,
    reference: str,
    rows: Sequence[T],
    kind: str,
    *,
    ident: Callable[[T], int],
    title: Callable[[T], str],
    at: Callable[[T], datetime | None] = lambda _: None,
    extra: Callable[[T], str] = lambda _: "",
) -> T:
    """The row ``reference`` names among ``rows`` (raises Ambiguous / NotFound / InvalidInput)."""
    by_id = {ident(r): r for r in rows}
    candidates = [Candidate(ident(r), title(r), local(w, at(r)), extra(r)) for r in rows]
    chosen = resolve(reference, candidates, kind=kind, today=local_today(w))
    return by_id[chosen.id]


def item(kind: str, ident: int, title: str) -> dict[str, Any]:
    """``data["item"]``: what a tool acted on."""
    return {"kind": kind, "id": ident, "title": title}
