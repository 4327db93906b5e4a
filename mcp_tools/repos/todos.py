"""Todos: personal ones, and the shared rules for seeing and changing any todo."""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz, utils
from sqlalchemy import Select, and_, or_, select

from mcp_tools.db.models import Todo
from mcp_tools.errors import Forbidden, InvalidInput, NotFound, said
from mcp_tools.policy import Role, effective_team_role, require_write
from mcp_tools.repos.common import (
    iso,
    listing,
    membership,
    moved_to,
    my_team_ids,
    priority_arg,
    say,
    text_arg,
    user_names,
    when_arg,
)
from mcp_tools.repos.refs import item, pick
from mcp_tools.work import Reply, Work

STATUSES = ("open", "in_progress", "done")


def status_filter(value: str | None) -> tuple[str, ...]:
    """Statuses a listing asks for: open (open + in progress), done, or all."""
    wanted = (value or "open").strip().lower()
    if wanted == "open":
        return ("open", "in_progress")
    if wanted == "done":
        return ("done",)
    if wanted == "all":
        return STATUSES
    raise InvalidInput("Status must be open, done or all.")


async def visible(w: Work) -> Select[Todo]:
    """Todos the caller may see: their own, assigned to them, or in their teams."""
    teams = await my_team_ids(w)
    mine = or_(Todo.owner_id == w.user_id, Todo.assignee_id == w.user_id)
    if w.actor.role >= Role.ADMIN:
        return select(Todo).where(or_(mine, Todo.team_id.is_not(None)))
    return select(Todo).where(or_(mine, and_(Todo.team_id.is_not(None), Todo.team_id.in_(teams))))


async def find_todo(w: Work, reference: str, *, open_only: bool = False) -> Todo:
    """The visible todo the caller's words name (open ones first, then any)."""
    rows = list((await w.session.execute((await visible(w)).order_by(Todo.id))).scalars())
    open_rows = [t for t in rows if t.status != "done"]
    pool = open_rows if open_only or open_rows else rows
    try:
        return _pick_todo(w, reference, pool)
    except NotFound:
        if open_only or pool is rows:
            raise
        return _pick_todo(w, reference, rows)


def _pick_todo(w: Work, reference: str, rows: list[Todo]) -> Todo:
    return pick(
        w, reference, rows, "todo",
        ident=lambda t: t.id, title=lambda t: t.title, at=lambda t: t.due_at,
    )  # fmt: skip


def todo_item(todo: Todo) -> dict[str, Any]:
    """``data["item"]`` for a todo."""
    return item("todo", todo.id, todo.title)


async def require_edit(w: Work, todo: Todo, what: str, *, delete: bool = False) -> None:
    """Owner and assignee may change a todo; in a team todo, team Members (Admins to delete)."""
    require_write(w.actor, what)
    if todo.owner_id == w.user_id or (todo.assignee_id == w.user_id and not delete):
        return
    if todo.team_id is not None:
        role = effective_team_role(w.actor, await membership(w, todo.team_id))
        needed = Role.ADMIN if delete else Role.MEMBER
        if role is not None and role >= needed:
            return
    raise Forbidden(f"That todo isn't yours, so you can't {what}.")


def todo_data(todo: Todo, names: dict[int, str]) -> dict[str, Any]:
    """Structured view of a todo."""
    return {
        "id": todo.id,
        "title": todo.title,
        "notes": todo.notes,
        "status": todo.status,
        "priority": todo.priority,
        "due_at": iso(todo.due_at),
        "team_id": todo.team_id,
        "owner": names.get(todo.owner_id),
        "assignee": names.get(todo.assignee_id) if todo.assignee_id else None,
    }


def todo_line(todo: Todo, w: Work) -> str:
    """How one todo is spoken in a list (by title: callers never hear ids)."""
    due = f", due {say(todo.due_at, w)}" if todo.due_at else ""
    flag = f" ({todo.priority})" if todo.priority in ("high", "urgent") else ""
    return f"{todo.title}{flag}{due}"


async def todos_reply(w: Work, todos: list[Todo], noun: str, empty: str) -> Reply:
    """A listing reply for several todos."""
    ids: set[int | None] = {t.assignee_id for t in todos}
    ids |= {t.owner_id for t in todos}
    names = await user_names(w, ids)
    data = {"todos": [todo_data(t, names) for t in todos], "count": len(todos)}
    if not todos:
        return Reply(empty, data)
    return Reply(f"You have {listing([todo_line(t, w) for t in todos], noun)}.", data)


async def one_reply(w: Work, todo: Todo, text: str) -> Reply:
    """A reply about one todo."""
    names = await user_names(w, {todo.owner_id, todo.assignee_id})
    return Reply(text, {"todo": todo_data(todo, names), "item": todo_item(todo)})


async def create_todo(
    w: Work, title: str, due: str | None, priority: str | None, notes: str | None
) -> Reply:
    """Create a personal todo."""
    require_write(w.actor, "add todos")
    todo = Todo(
        owner_id=w.user_id,
        title=text_arg(title, "todo title", 300),
        notes=text_arg(notes, "notes", 2000, required=False),
        priority=priority_arg(priority),
        due_at=when_arg(w, due, need_time=False) if due else None,
    )
    w.session.add(todo)
    await w.session.flush()
    w.audit("todo.create", "todo", todo.id)
    due_text = f", due {say(todo.due_at, w)}" if todo.due_at else ""
    return await one_reply(w, todo, f"Added to your list: {todo.title}{due_text}.")


async def list_todos(w: Work, status: str | None, limit: int) -> Reply:
    """The caller's personal todos."""
    query = (
        select(Todo)
        .where(Todo.owner_id == w.user_id, Todo.team_id.is_(None))
        .where(Todo.status.in_(status_filter(status)))
        .order_by(Todo.due_at.is_(None), Todo.due_at, Todo.id)
        .limit(max(1, min(limit, 50)))
    )
    todos = list((await w.session.execute(query)).scalars().all())
    return await todos_reply(w, todos, f"{status or 'open'} todo", "You have no todos there.")


async def get_todo(w: Work, reference: str) -> Reply:
    """One todo in full."""
    todo = await find_todo(w, reference)
    due = f", due {say(todo.due_at, w)}" if todo.due_at else ""
    notes = f". Notes: {todo.notes}" if todo.notes else ""
    text = f"{todo.title}: {todo.status.replace('_', ' ')}{due}{notes}."
    return await one_reply(w, todo, text)


async def update_todo(
    w: Work,
    reference: str,
    title: str | None,
    notes: str | None,
    due: str | None,
    priority: str | None,
    status: str | None,
) -> Reply:
    """Change the given fields of a todo (others are left as they are)."""
    todo = await find_todo(w, reference)
    await require_edit(w, todo, "change it")
    changed: list[str] = []
    if title is not None:
        todo.title = text_arg(title, "todo title", 300)
        changed.append("title")
    if notes is not None:
        todo.notes = text_arg(notes, "notes", 2000, required=False)
        changed.append("notes")
    if due is not None:
        todo.due_at = (
            None
            if due.strip().lower() in ("", "none")
            else moved_to(w, due, todo.due_at, need_time=False)
        )
        changed.append("due")
    if priority is not None:
        todo.priority = priority_arg(priority)
        changed.append("priority")
    if status is not None:
        set_status(todo, status, w)
        changed.append("status")
    if not changed:
        raise InvalidInput("Tell me what to change: title, notes, due time, priority or status.")
    w.audit("todo.update", "todo", todo.id, {"fields": changed})
    await w.session.flush()
    return await one_reply(w, todo, f"Updated {todo.title}: {', '.join(changed)}.")


def set_status(todo: Todo, status: str, w: Work) -> None:
    """Move a todo to open, in progress or done (stamping completion)."""
    value = status.strip().lower().replace(" ", "_")
    if value not in STATUSES:
        raise InvalidInput("Status must be open, in progress or done.")
    todo.status = value
    todo.completed_at = w.now if value == "done" else None


async def complete_todo(w: Work, reference: str) -> Reply:
    """Mark a todo done."""
    todo = await find_todo(w, reference)
    await require_edit(w, todo, "complete it")
    if todo.status == "done":
        return await one_reply(w, todo, f"{todo.title} was already done.")
    set_status(todo, "done", w)
    w.audit("todo.complete", "todo", todo.id)
    await w.session.flush()
    return await one_reply(w, todo, f"Done: {todo.title}.")


async def delete_todo(w: Work, reference: str, confirm: str | None) -> Reply:
    """Delete a todo, once the caller has said yes (the first call only asks)."""
    todo = await find_todo(w, reference)
    await require_edit(w, todo, "delete it", delete=True)
    title, todo_id, what = todo.title, todo.id, todo_item(todo)
    if not w.confirmed(confirm, "todo.delete", todo_id):
        return w.ask_first(f"Delete {title}? Yes or no?", "todo.delete", todo_id, {"item": what})
    await w.session.delete(todo)
    w.audit("todo.delete", "todo", todo_id, {"title": title})
    await w.session.flush()
    return Reply(f"Deleted: {title}.", {"deleted_id": todo_id, "item": what})


async def search_todos(w: Work, query: str, limit: int) -> Reply:
    """Visible todos whose title or notes match ``query`` (typos tolerated)."""
    needle = utils.default_process(text_arg(query, "search words", 100))
    todos = (await w.session.execute((await visible(w)).order_by(Todo.id).limit(1000))).scalars()
    scored = []
    for todo in todos:
        hay = utils.default_process(f"{todo.title} {todo.notes}")
        s = fuzz.partial_ratio(needle, hay) if needle else 0
        if s >= 75:
            scored.append((s, todo))
    scored.sort(key=lambda pair: (-pair[0], pair[1].id))
    found = [t for _, t in scored[: max(1, min(limit, 50))]]
    return await todos_reply(w, found, "matching todo", f"No todos match {said(query)}.")
