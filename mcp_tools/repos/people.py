"""People: search by name or alias, look someone up, the caller's own profile."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from mcp_tools.db.models import Team, TeamMember, User, UserPhone
from mcp_tools.errors import InvalidInput, said
from mcp_tools.fuzzy import rank
from mcp_tools.policy import require_write
from mcp_tools.repos.common import active_users, find_user, listing, named_user, text_arg
from mcp_tools.timeparse import spoken_zone
from mcp_tools.work import Reply, Work

MAX_ALIASES = 10


async def _teams_of(w: Work, user_id: int) -> list[str]:
    rows = await w.session.execute(
        select(Team.name)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.user_id == user_id)
    )
    return sorted(rows.scalars().all())


def public_data(user: User, teams: Sequence[str] | None = None) -> dict[str, Any]:
    """What colleagues may know about a user (no numbers, no PIN state)."""
    return {
        "id": user.id,
        "name": user.name,
        "aliases": list(user.aliases),
        "role": user.role,
        "teams": list(teams) if teams is not None else None,
    }


async def search_users(w: Work, query: str, limit: int) -> Reply:
    """People whose name or alias sounds like ``query``."""
    text = text_arg(query, "name to search for", 120)
    ranked = rank(text, [named_user(u) for u in await active_users(w)])
    found = [c.item for _, c in ranked[: max(1, min(limit, 20))]]
    data = {"users": [public_data(u) for u in found]}
    if not found:
        return Reply(f"Nobody is called anything like {said(text)}.", data)
    return Reply(f"I found {listing([u.name for u in found], 'person', 5)}.", data)


async def get_user(w: Work, person: str) -> Reply:
    """One colleague's name, role and teams."""
    user = await find_user(w, text_arg(person, "person's name", 120))
    teams = await _teams_of(w, user.id)
    in_teams = f", in {', '.join(teams)}" if teams else ""
    return Reply(f"{user.name}, {user.role}{in_teams}.", {"user": public_data(user, teams)})


async def get_my_profile(w: Work) -> Reply:
    """The caller's own profile."""
    me = w.me
    teams = await _teams_of(w, me.id)
    phones = (
        await w.session.execute(select(UserPhone.number).where(UserPhone.user_id == me.id))
    ).scalars()
    data = {
        "user": {
            **public_data(me, teams),
            "email": me.email,
            "timezone": w.tz,
            "user_number": me.user_number,
            "phones": list(phones),
        }
    }
    aka = f", also called {', '.join(me.aliases)}" if me.aliases else ""
    return Reply(f"You are {me.name}{aka}, {me.role}, timezone {w.tz}.", data)


async def update_my_profile(
    w: Work,
    name: str | None,
    aliases: Sequence[str] | None,
    timezone: str | None,
    email: str | None,
) -> Reply:
    """Change the caller's own name, aliases, timezone or email."""
    require_write(w.actor, "change your profile")
    me = w.me
    changed: list[str] = []
    if name is not None:
        me.name = text_arg(name, "name", 120)
        changed.append("name")
    if aliases is not None:
        if len(aliases) > MAX_ALIASES:
            raise InvalidInput(f"Keep it to {MAX_ALIASES} nicknames or fewer.")
        me.aliases = [text_arg(a, "nickname", 60) for a in aliases]
        changed.append("aliases")
    if timezone is not None:
        me.timezone = spoken_zone(text_arg(timezone, "timezone", 64)).key
        changed.append("timezone")
    if email is not None:
        value = text_arg(email, "email", 200, required=False)
        if value and ("@" not in value or " " in value):
            raise InvalidInput("That doesn't look like an email address.")
        me.email = value or None
        changed.append("email")
    if not changed:
        raise InvalidInput("Tell me what to change: name, nicknames, timezone or email.")
    w.audit("profile.update", "user", me.id, {"fields": changed})
    await w.session.flush()
    return Reply(
        f"Updated your {', '.join(changed)}.", {"user": public_data(me), "changed": changed}
    )
