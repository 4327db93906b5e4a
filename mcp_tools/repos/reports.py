"""Predefined, read-only, tenant-scoped reports (never SQL from the model)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select

from mcp_tools.db.models import TeamMember, Todo, User
from mcp_tools.policy import require_team_read
from mcp_tools.repos.common import find_team, listing, membership, say
from mcp_tools.repos.todos import todos_reply
from mcp_tools.work import Reply, Work

OPEN = ("open", "in_progress")


async def team_workload(w: Work, team_name: str) -> Reply:
    """Per member of a team: open todos, overdue ones, and those due within a week."""
    team = await find_team(w, team_name)
    require_team_read(w.actor, await membership(w, team.id), team.name)
    members = (
        (
            await w.session.execute(
                select(User)
                .join(TeamMember, TeamMember.user_id == User.id)
                .where(TeamMember.team_id == team.id)
                .order_by(User.name)
            )
        )
        .scalars()
        .all()
    )
    todos = (
        (
            await w.session.execute(
                select(Todo).where(Todo.team_id == team.id, Todo.status.in_(OPEN))
            )
        )
        .scalars()
        .all()
    )
    week = w.now + timedelta(days=7)
    rows = []
    for user in [*members, None]:
        mine = [t for t in todos if t.assignee_id == (user.id if user else None)]
        if user is None and not mine:
            continue
        rows.append(
            {
                "user_id": user.id if user else None,
                "name": user.name if user else "unassigned",
                "open": len(mine),
                "overdue": sum(1 for t in mine if t.due_at and t.due_at < w.now),
                "due_this_week": sum(1 for t in mine if t.due_at and w.now <= t.due_at < week),
            }
        )
    lines = [f"{r['name']} {r['open']} open, {r['overdue']} overdue" for r in rows]
    text = f"{team.name} workload: {listing(lines, 'person', 8).split(': ', 1)[-1]}."
    data = {"team": {"id": team.id, "name": team.name}, "members": rows, "open_total": len(todos)}
    return Reply(text, data)


async def overdue_items(w: Work, team_name: str | None) -> Reply:
    """Overdue open todos: a team's, or (no team) the caller's own and assigned ones."""
    query = select(Todo).where(Todo.status.in_(OPEN), Todo.due_at < w.now)
    if team_name:
        team = await find_team(w, team_name)
        require_team_read(w.actor, await membership(w, team.id), team.name)
        query = query.where(Todo.team_id == team.id)
        whose = f"The {team.name} team has"
    else:
        query = query.where(
            or_(
                Todo.assignee_id == w.user_id, (Todo.owner_id == w.user_id) & Todo.team_id.is_(None)
            )
        )
        whose = "You have"
    todos = list((await w.session.execute(query.order_by(Todo.due_at).limit(50))).scalars().all())
    reply = await todos_reply(w, todos, "overdue todo", "Nothing is overdue.")
    if todos:
        oldest = say(todos[0].due_at, w)
        text = reply.text.replace("You have", whose, 1)[:-1] + f". The oldest was due {oldest}."
        return Reply(text, reply.data)
    return reply
