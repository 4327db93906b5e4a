"""Roles and who may do what: the one place access decisions are made.

Roles rank Owner > Admin > Member > Viewer, at tenant level (``User.role``) and team level
(``TeamMember.role``). Rules:

* A tenant Viewer may read but never write, anywhere.
* Tenant Admins and Owners act with at least that role in every team of their tenant.
* Managing a team (members, their roles) needs team Admin; granting or touching Owner needs
  team Owner; creating teams needs tenant Admin.
* Personal items are visible only to their owner (and a todo's assignee, an event's
  attendees); team items to the team's members and tenant Admins.

Every refusal raises :class:`~mcp_tools.errors.Forbidden`; the tool runner audits it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

from mcp_tools.errors import Forbidden, InvalidInput, said

Channel = Literal["voice", "console", "api"]
CHANNELS: tuple[Channel, ...] = ("voice", "console", "api")


class Role(IntEnum):
    """Tenant or team role; a larger value can do everything a smaller one can."""

    VIEWER = 1
    MEMBER = 2
    ADMIN = 3
    OWNER = 4

    @classmethod
    def parse(cls, value: str) -> Role:
        """The role named ``value`` (case-insensitive); one-sentence error otherwise."""
        try:
            return cls[value.strip().upper()]
        except KeyError:
            raise InvalidInput(
                f"'{said(value, 20)}' is not a role; say owner, admin, member or viewer."
            ) from None

    @property
    def label(self) -> str:
        """Lower-case name, as stored."""
        return self.name.lower()


@dataclass(frozen=True)
class Actor:
    """Who is acting: always from a verified token or the admin console, never from the model."""

    tenant_id: int
    user_id: int | None
    role: Role
    channel: Channel = "voice"
    call_id: str | None = None
    name: str = ""

    @property
    def label(self) -> str:
        """How the audit log names the actor."""
        return self.name or (f"user {self.user_id}" if self.user_id else "system")


def require_write(actor: Actor, what: str) -> None:
    """Refuse any change by a tenant Viewer."""
    if actor.role < Role.MEMBER:
        raise Forbidden(f"You have view-only access, so you can't {what}.")


def require_tenant_role(actor: Actor, minimum: Role, what: str) -> None:
    """Refuse unless the actor's tenant role is at least ``minimum``."""
    if minimum > Role.VIEWER:
        require_write(actor, what)
    if actor.role < minimum:
        raise Forbidden(f"Only a tenant {minimum.label} or above can {what}.")


def effective_team_role(actor: Actor, membership: Role | None) -> Role | None:
    """The actor's role in one team, given their membership role there (None: not a member)."""
    if actor.role == Role.VIEWER:
        return Role.VIEWER if membership is not None else None
    if actor.role >= Role.ADMIN:
        return max(membership or actor.role, actor.role)
    return membership


def require_team_read(actor: Actor, membership: Role | None, team_name: str) -> Role:
    """Refuse reading a team's work unless a member (or tenant Admin); returns the role."""
    role = effective_team_role(actor, membership)
    if role is None:
        raise Forbidden(f"You're not in the {team_name} team, so you can't see its work.")
    return role


def require_team_role(
    actor: Actor, membership: Role | None, minimum: Role, team_name: str, what: str
) -> Role:
    """Refuse unless the actor's effective role in the team is at least ``minimum``."""
    require_write(actor, what)
    role = effective_team_role(actor, membership)
    if role is None:
        raise Forbidden(f"You're not in the {team_name} team, so you can't {what}.")
    if role < minimum:
        raise Forbidden(f"Only a {team_name} team {minimum.label} or above can {what}.")
    return role


def require_role_change(actor_role: Role, current: Role | None, new: Role | None) -> None:
    """Changing someone's team role (or removing them): Owner is only granted or touched by
    an Owner; otherwise team Admin suffices (checked by the caller)."""
    touches_owner = Role.OWNER in (current, new)
    if touches_owner and actor_role < Role.OWNER:
        raise Forbidden("Only a team owner can grant or change the owner role.")
