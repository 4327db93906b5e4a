"""Teams and memberships: create, list, get, add/remove members, change roles."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from mcp_tools.db.models import Team, TeamMember, User
from mcp_tools.errors import Ambiguous, Conflict, InvalidInput, NotFound
from mcp_tools.policy import (
    Role,
    require_role_change,
    require_team_read,
    require_team_role,
    require_tenant_role,
)
from mcp_tools.repos.common import (
    find_team,
    find_user,
    listing,
    membership,
    team_users,
    text_arg,
)
from mcp_tools.work import Reply, Work


def team_data(team: Team, count: int | None = None) -> dict[str, Any]:
    """Structured view of a team."""
    return {"id": team.id, "name": team.name, "description": team.description, "members": count}


async def _members(w: Work, team: Team) -> list[tuple[TeamMember, User]]:
    rows = await w.session.execute(
        select(TeamMember, User)
        .join(User, User.id == TeamMember.user_id)
        .where(TeamMember.team_id == team.id)
        .order_by(User.name)
    )
    return [(m, u) for m, u in rows.all()]


async def create_team(w: Work, name: str, description: str | None) -> Reply:
    """Create a team (tenant Admin or above); the creator becomes its owner."""
    require_tenant_role(w.actor, Role.ADMIN, "create teams")
    team_name = text_arg(name, "team name", 120)
    exists = await w.session.execute(
        select(Team.id).where(func.lower(Team.name) == team_name.lower())
    )
    if exists.first():
        raise Conflict(f"There is already a team called {team_name}.")
    team = Team(
        name=team_name, description=text_arg(description, "description", 500, required=False)
    )
    w.session.add(team)
    await w.session.flush()
    w.session.add(TeamMember(team_id=team.id, user_id=w.user_id, role=Role.OWNER.label))
    w.audit("team.create", "team", team.id, {"name": team.name})
    await w.session.flush()
    return Reply(f"Created the {team.name} team, with you as owner.", {"team": team_data(team, 1)})


async def list_teams(w: Work) -> Reply:
    """Every team in the tenant, and which ones the caller is in."""
    counts = (
        select(TeamMember.team_id, func.count().label("n")).group_by(TeamMember.team_id).subquery()
    )
    rows = await w.session.execute(
        select(Team, counts.c.n).outerjoin(counts, counts.c.team_id == Team.id).order_by(Team.name)
    )
    mine = {
        tid
        for tid in (
            await w.session.execute(
                select(TeamMember.team_id).where(TeamMember.user_id == w.user_id)
            )
        ).scalars()
    }
    teams = [{**team_data(t, n or 0), "mine": t.id in mine} for t, n in rows.all()]
    lines = [f"{t['name']}{' (yours)' if t['mine'] else ''}" for t in teams]
    text = f"There are {listing(lines, 'team', 8)}." if teams else "There are no teams yet."
    return Reply(text, {"teams": teams})


async def get_team(w: Work, team_name: str) -> Reply:
    """A team's details and members (members and tenant Admins)."""
    team = await find_team(w, team_name)
    role = require_team_read(w.actor, await membership(w, team.id), team.name)
    members = await _members(w, team)
    data = {
        "team": team_data(team, len(members)),
        "your_role": role.label,
        "members": [{"id": u.id, "name": u.name, "role": m.role} for m, u in members],
    }
    about = f" {team.description}." if team.description else ""
    return Reply(f"The {team.name} team has {len(members)} members.{about}", data)


async def list_team_members(w: Work, team_name: str) -> Reply:
    """Who is in a team, with their roles."""
    team = await find_team(w, team_name)
    require_team_read(w.actor, await membership(w, team.id), team.name)
    members = await _members(w, team)
    lines = [f"{u.name}{'' if m.role == 'member' else ' (' + m.role + ')'}" for m, u in members]
    data = {
        "team": team_data(team, len(members)),
        "members": [{"id": u.id, "name": u.name, "role": m.role} for m, u in members],
    }
    return Reply(f"The {team.name} team has {listing(lines, 'member', 10)}.", data)


async def add_team_member(w: Work, team_name: str, person: str, role: str | None) -> Reply:
    """Add someone to a team (team Admin or above)."""
    team = await find_team(w, team_name)
    acting = require_team_role(
        w.actor, await membership(w, team.id), Role.ADMIN, team.name, "add members"
    )
    new_role = Role.parse(role or "member")
    require_role_change(acting, None, new_role)
    user = await find_user(w, person)
    if await membership(w, team.id, user.id) is not None:
        raise Conflict(f"{user.name} is already in the {team.name} team.")
    w.session.add(TeamMember(team_id=team.id, user_id=user.id, role=new_role.label))
    w.audit("team.add_member", "team", team.id, {"user_id": user.id, "role": new_role.label})
    await w.session.flush()
    return Reply(
        f"Added {user.name} to the {team.name} team as {new_role.label}.",
        {
            "team": team_data(team),
            "user": {"id": user.id, "name": user.name},
            "role": new_role.label,
        },
    )


async def _member_row(w: Work, team: Team, user: User) -> TeamMember:
    row = await w.session.execute(
        select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.user_id == user.id)
    )
    member = row.scalar_one_or_none()
    if member is None:
        raise NotFound(f"{user.name} is not in the {team.name} team.")
    return member


async def _find_member(w: Work, team: Team, person: str) -> User:
    """The team member ``person`` names; a clear sentence when they are not in the team.

    The person is looked for among everyone first ("John Park" is John Park even where only
    John Smith is a member); a name several people share is then narrowed to the members.
    """
    members = await team_users(w, team)
    try:
        user = await find_user(w, person)
    except Ambiguous:
        return await find_user(w, person, members)
    if all(m.id != user.id for m in members):
        raise NotFound(f"{user.name} isn't in the {team.name} team.")
    return user


async def _owners(w: Work, team: Team) -> int:
    row = await w.session.execute(
        select(func.count()).where(TeamMember.team_id == team.id, TeamMember.role == "owner")
    )
    return int(row.scalar_one())


async def remove_team_member(
    w: Work, team_name: str, person: str, confirm: str | None = None
) -> Reply:
    """Take someone out of a team (team Admin; removing an owner needs an owner), once the
    caller has said yes."""
    team = await find_team(w, team_name)
    acting = require_team_role(
        w.actor, await membership(w, team.id), Role.ADMIN, team.name, "remove members"
    )
    user = await _find_member(w, team, person)
    member = await _member_row(w, team, user)
    require_role_change(acting, Role.parse(member.role), None)
    if member.role == "owner" and await _owners(w, team) <= 1:
        raise InvalidInput(f"{user.name} is the {team.name} team's only owner; add another first.")
    target = f"{team.id}:{user.id}"
    if not w.confirmed(confirm, "team.remove_member", target):
        question = f"Remove {user.name} from the {team.name} team? Yes or no?"
        return w.ask_first(question, "team.remove_member", target, {"team": team_data(team)})
    await w.session.delete(member)
    w.audit("team.remove_member", "team", team.id, {"user_id": user.id})
    await w.session.flush()
    return Reply(
        f"Removed {user.name} from the {team.name} team.",
        {"team": team_data(team), "user": {"id": user.id, "name": user.name}},
    )


async def change_member_role(
    w: Work, team_name: str, person: str, role: str, confirm: str | None = None
) -> Reply:
    """Change a member's team role (team Admin; anything involving owner needs an owner),
    once the caller has said yes."""
    team = await find_team(w, team_name)
    acting = require_team_role(
        w.actor, await membership(w, team.id), Role.ADMIN, team.name, "change roles"
    )
    new_role = Role.parse(role)
    user = await _find_member(w, team, person)
    member = await _member_row(w, team, user)
    current = Role.parse(member.role)
    require_role_change(acting, current, new_role)
    if current == Role.OWNER and new_role != Role.OWNER and await _owners(w, team) <= 1:
        raise InvalidInput(f"{user.name} is the {team.name} team's only owner; add another first.")
    if current == new_role:
        return Reply(f"{user.name} is already {new_role.label} of the {team.name} team.")
    target = f"{team.id}:{user.id}:{new_role.label}"
    if not w.confirmed(confirm, "team.change_role", target):
        question = f"Make {user.name} {new_role.label} of the {team.name} team? Yes or no?"
        return w.ask_first(question, "team.change_role", target, {"team": team_data(team)})
    member.role = new_role.label
    w.audit("team.change_role", "team", team.id, {"user_id": user.id, "role": new_role.label})
    await w.session.flush()
    return Reply(
        f"{user.name} is now {new_role.label} of the {team.name} team.",
        {
            "team": team_data(team),
            "user": {"id": user.id, "name": user.name},
            "role": new_role.label,
        },
    )
