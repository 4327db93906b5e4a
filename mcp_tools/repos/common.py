"""Look-ups and checks shared by the domain modules: people, teams, memberships, text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from mcp_tools.db.models import Team, TeamMember, User
from mcp_tools.errors import Ambiguous, InvalidInput, NotFound, ToolFailure
from mcp_tools.fuzzy import Named, match_one
from mcp_tools.policy import Role
from mcp_tools.timeparse import parse_time, speak_time, zone
from mcp_tools.work import Work

PRIORITIES = ("low", "normal", "high", "urgent")


def text_arg(value: str | None, what: str, max_len: int, *, required: bool = True) -> str:
    """A cleaned free-text argument: trimmed, not empty (when required), not too long."""
    cleaned = " ".join((value or "").split())
    if required and not cleaned:
        raise InvalidInput(f"I need the {what}.")
    if len(cleaned) > max_len:
        raise InvalidInput(f"The {what} is too long; keep it under {max_len} characters.")
    if any(ord(ch) < 32 for ch in cleaned):
        raise InvalidInput(f"The {what} contains characters I can't store.")
    return cleaned


def priority_arg(value: str | None) -> str:
    """One of low, normal, high, urgent."""
    cleaned = (value or "normal").strip().lower()
    if cleaned not in PRIORITIES:
        raise InvalidInput("Priority must be low, normal, high or urgent.")
    return cleaned


def when_arg(w: Work, phrase: str, *, need_time: bool = True, future: bool = True) -> datetime:
    """A natural or ISO time in the caller's timezone, optionally required to be ahead. A day
    without a time ("today", "Friday") means that day's end of business (5 pm), or its last
    minute when that is already past today: a todo due "today" at 8 pm is not overdue."""
    parsed = parse_time(phrase, w.tz, now=w.now, need_time=need_time)
    at = parsed.at
    local_now = w.now.astimezone(zone(w.tz))
    if not parsed.has_time and at < w.now and at.astimezone(zone(w.tz)).date() == local_now.date():
        at = local_now.replace(hour=23, minute=59, second=0, microsecond=0).astimezone(at.tzinfo)
    if future and at < w.now.replace(second=0, microsecond=0):
        raise InvalidInput(f"{speak_time(at, w.tz, w.now).capitalize()} has already passed.")
    return at


_HOUR = r"(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_CLOCK_ONLY = re.compile(
    rf"^(?:at |by |around |to )?(?:{_HOUR}(?:[:.\s]\d{{2}})?\s*(?:am|pm|a\.m\.?|p\.m\.?|"
    rf"o'?clock)?|(?:half past|quarter past|quarter to) {_HOUR}|noon|midday)$",
    re.I,
)
"""A phrase that names only a time of day ("four", "at 3 pm", "half past two", "noon")."""
_BARE_NUMBER = re.compile(rf"^{_HOUR}$", re.I)


def moved_to(w: Work, phrase: str, current: datetime | None, *, need_time: bool = True) -> datetime:
    """The new time of an item being moved: a phrase that names only a clock time ("four",
    "half past two", "at 3 pm") keeps the item's own day (an hour from 1 to 6 without am/pm is
    the afternoon); one that names a day is read from now, as always."""
    text = " ".join(phrase.split())
    if current is None or not _CLOCK_ONLY.match(text):
        return when_arg(w, text, need_time=need_time)
    if _BARE_NUMBER.match(text):
        text = f"at {text}"
    day_start = current.astimezone(zone(w.tz)).replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        at = parse_time(text, w.tz, now=day_start, need_time=need_time).at
    except Ambiguous:  # "four": moving within a working day, 1 to 6 is the afternoon
        at = parse_time(f"{text} pm", w.tz, now=day_start, need_time=need_time).at
    if at < w.now.replace(second=0, microsecond=0):
        raise InvalidInput(f"{speak_time(at, w.tz, w.now).capitalize()} has already passed.")
    return at


def say(at: datetime | None, w: Work) -> str:
    """An instant as spoken to the caller (empty when None)."""
    return speak_time(at, w.tz, w.now) if at else ""


def iso(at: datetime | None) -> str | None:
    """ISO 8601 for structured data."""
    return at.isoformat() if at else None


async def active_users(w: Work) -> Sequence[User]:
    """Every active user of the caller's tenant."""
    rows = await w.session.execute(select(User).where(User.active.is_(True)).order_by(User.id))
    return rows.scalars().all()


def named_user(user: User) -> Named[User]:
    """A user as a fuzzy-match candidate (name and aliases)."""
    return Named(user, user.name, (user.name, *user.aliases))


_IN_TEAM = re.compile(r"^(.+?)\s+(?:in|from|on|of)\s+(?:the\s+)?(.+?)(?:\s+team)?$", re.I)


async def find_user(w: Work, name: str, among: Sequence[User] | None = None) -> User:
    """The user ``name`` means (fuzzy, name or alias), optionally among given users.

    "John in the dev team" looks for John among the Dev team's members when such a team
    exists (otherwise the whole phrase is matched as a name).
    """
    people = among if among is not None else await active_users(w)
    if name.strip().lower() in ("me", "myself", "i") and any(p.id == w.user_id for p in people):
        return w.me
    scoped = _IN_TEAM.match(name.strip())
    if scoped and among is None:
        try:
            team = await find_team(w, scoped.group(2))
        except ToolFailure:
            team = None
        if team is not None:
            members = await team_users(w, team)
            return match_one(scoped.group(1), [named_user(u) for u in members], "person")
    return match_one(name, [named_user(u) for u in people], "person")


async def team_users(w: Work, team: Team) -> list[User]:
    """Active members of a team."""
    rows = await w.session.execute(
        select(User)
        .join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.team_id == team.id, User.active.is_(True))
        .order_by(User.id)
    )
    return list(rows.scalars().all())


async def find_team(w: Work, name: str) -> Team:
    """The team ``name`` means (fuzzy; "the dev team" works)."""
    cleaned = text_arg(name, "team name", 120)
    words = [x for x in cleaned.split() if x.lower() not in ("the", "team")]
    query = " ".join(words) or cleaned
    teams = (await w.session.execute(select(Team).order_by(Team.id))).scalars().all()
    return match_one(query, [Named(t, t.name, (t.name,)) for t in teams], "team")


async def membership(w: Work, team_id: int, user_id: int | None = None) -> Role | None:
    """``user_id``'s (default: the caller's) role in a team, None when not a member."""
    uid = w.user_id if user_id is None else user_id
    row = await w.session.execute(
        select(TeamMember.role).where(TeamMember.team_id == team_id, TeamMember.user_id == uid)
    )
    role = row.scalar_one_or_none()
    return Role.parse(role) if role else None


async def my_team_ids(w: Work) -> list[int]:
    """Teams the caller belongs to."""
    rows = await w.session.execute(
        select(TeamMember.team_id).where(TeamMember.user_id == w.user_id)
    )
    return list(rows.scalars().all())


async def user_names(w: Work, ids: set[int | None]) -> dict[int, str]:
    """Names for a set of user ids (unknown ids are left out)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await w.session.execute(select(User.id, User.name).where(User.id.in_(wanted)))
    return {uid: name for uid, name in rows.all()}


def listing(items: Sequence[str], noun: str, limit: int = 5) -> str:
    """ "3 open todos: a; b; c." with at most ``limit`` spelled out."""
    if not items:
        return f"no {noun}s"
    shown = "; ".join(items[:limit])
    more = f"; and {len(items) - limit} more" if len(items) > limit else ""
    plural = noun if len(items) == 1 else f"{noun}s"
    return f"{len(items)} {plural}: {shown}{more}"


def require_id(value: Any, what: str) -> int:
    """A positive integer id."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**31:
        raise NotFound(f"I couldn't find that {what}.")
    return value
