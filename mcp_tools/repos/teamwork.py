"""Team work: team todos, assigning by spoken name, what is assigned to me."""

from __future__ import annotations

from sqlalchemy import select

from mcp_tools.db.models import Team, Todo, User
from mcp_tools.errors import InvalidInput
from mcp_tools.policy import Role, require_team_read, require_team_role
from mcp_tools.repos.common import (
    find_team,
    find_user,
    membership,
    priority_arg,
    say,
    team_users,
    text_arg,
    when_arg,
)
from mcp_tools.repos.todos import find_todo, one_reply, require_edit, status_filter, todos_reply
from mcp_tools.work import Reply, Work


async def create_team_todo(
    w: Work,
    team_name: str,
    title: str,
    due: str | None,
    priority: str | None,
    assignee: str | None,
) -> Reply:
    """Create a todo in a team (team Member or above), optionally assigned to a teammate."""
    team = await find_team(w, team_name)
    require_team_role(
        w.actor, await membership(w, team.id), Role.MEMBER, team.name, "add team todos"
    )
    todo = Todo(
        owner_id=w.user_id,
        team_id=team.id,
        title=text_arg(title, "todo title", 300),
        priority=priority_arg(priority),
        due_at=when_arg(w, due, need_time=False) if due else None,
    )
    to = ""
    if assignee:
        user = await find_user(w, assignee, await team_users(w, team))
        todo.assignee_id, to = user.id, f" for {user.name}"
    w.session.add(todo)
    await w.session.flush()
    w.audit("team_todo.create", "todo", todo.id, {"team_id": team.id})
    due_text = f", due {say(todo.due_at, w)}" if todo.due_at else ""
    return await one_reply(w, todo, f"Added to the {team.name} list{to}: {todo.title}{due_text}.")


async def assign_todo(w: Work, reference: str, person: str, team_name: str | None) -> Reply:
    """Assign a todo (named by voice) to someone named by voice ("John in the dev team")."""
    todo = await find_todo(w, reference)
    await require_edit(w, todo, "assign it")
    among: list[User] | None = None
    team: Team | None = None
    if team_name:
        team = await find_team(w, team_name)
        if todo.team_id is not None and todo.team_id != team.id:
            raise InvalidInput(f"{todo.title} belongs to a different team than {team.name}.")
        among = await team_users(w, team)
    elif todo.team_id is not None:
        team = await w.session.get(Team, todo.team_id)
        among = await team_users(w, team) if team else []
    user = await find_user(w, person, among)
    todo.assignee_id = user.id
    w.audit("todo.assign", "todo", todo.id, {"assignee_id": user.id})
    await w.session.flush()
    return await one_reply(w, todo, f"Assigned {todo.title} to {user.name}.")


async def list_team_todos(w: Work, team_name: str, status: str | None, limit: int) -> Reply:
    """A team's todos (members and tenant Admins)."""
    team = await find_team(w, team_name)
    require_team_read(w.actor, await membership(w, team.id), team.name)
    rows = await w.session.execute(
        select(Todo)
        .where(Todo.team_id == team.id, Todo.status.in_(status_filter(status)))
        .order_by(Todo.due_at.is_(None), Todo.due_at, Todo.id)
        .limit(max(1, min(limit, 50)))
    )
    todos = list(rows.scalars().all())
    reply = await todos_reply(
        w, todos, f"{team.name} todo", f"The {team.name} team has no todos there."
    )
    text = reply.text.replace("You have", f"The {team.name} team has", 1)
    return Reply(text, {**reply.data, "team": {"id": team.id, "name": team.name}})


async def list_my_assignments(w: Work, status: str | None, limit: int) -> Reply:
    """Todos assigned to the caller, personal or team."""
    rows = await w.session.execute(
        select(Todo)
        .where(Todo.assignee_id == w.user_id, Todo.status.in_(status_filter(status)))
        .order_by(Todo.due_at.is_(None), Todo.due_at, Todo.id)
        .limit(max(1, min(limit, 50)))
    )
    todos = list(rows.scalars().all())
    return await todos_reply(w, todos, "assigned todo", "Nothing is assigned to you.")
