"""Provisioning for operators (``switchboard admin``/``seed``): tenants, users, teams, departments.

Every change is audited with the acting operator; tenant-level actions need tenant Admin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mcp_tools import audit, hours
from mcp_tools.db.base import utcnow
from mcp_tools.db.models import (
    AuditEntry,
    Department,
    FeedToken,
    Team,
    TeamMember,
    Tenant,
    TenantDid,
    User,
    UserPhone,
)
from mcp_tools.db.session import Database
from mcp_tools.errors import Conflict, InvalidInput, NotFound
from mcp_tools.pins import DEFAULT_PIN_LENGTH, check_pin_format, check_pin_length, hash_pin_async
from mcp_tools.policy import Actor, Channel, Role, require_tenant_role
from mcp_tools.services.auth import normalise_number, tenant_pin_length
from mcp_tools.timeparse import zone


def operator(tenant_id: int, channel: Channel = "console", name: str = "operator") -> Actor:
    """The actor for someone with shell access to the server (acts as tenant owner)."""
    return Actor(tenant_id=tenant_id, user_id=None, role=Role.OWNER, channel=channel, name=name)


@dataclass(frozen=True)
class Created:
    """What a provisioning call made: its id and a summary for printing."""

    id: int
    summary: dict[str, Any]


class Provisioning:
    """Operator actions over the database."""

    def __init__(self, db: Database, bcrypt_rounds: int = 12) -> None:
        self.db = db
        self.rounds = bcrypt_rounds

    async def create_tenant(
        self,
        name: str,
        slug: str,
        timezone: str = "UTC",
        dids: Sequence[str] = (),
        *,
        pin_length: int = DEFAULT_PIN_LENGTH,
    ) -> Created:
        """A new tenant with its dialled numbers and PIN length policy (6 digits unless
        told otherwise)."""
        tz = zone(timezone).key
        check_pin_length(pin_length)
        async with self.db.unscoped() as session, session.begin():
            if (await session.execute(select(Tenant.id).where(Tenant.slug == slug))).first():
                raise Conflict(f"A tenant with slug {slug} already exists.")
            numbers = [normalise_number(d) for d in dids]
            if numbers:
                taken = await session.execute(
                    select(TenantDid.did).where(TenantDid.did.in_(numbers))
                )
                if taken.first():
                    raise Conflict("One of those numbers already belongs to a tenant.")
            tenant = Tenant(name=name, slug=slug, timezone=tz, pin_length=pin_length)
            session.add(tenant)
            await session.flush()
            for number in numbers:
                session.add(TenantDid(tenant_id=tenant.id, did=number))
            audit.record(session, operator(tenant.id), "tenant.create", "tenant", tenant.id)
            return Created(
                tenant.id,
                {
                    "id": tenant.id,
                    "name": name,
                    "slug": slug,
                    "timezone": tz,
                    "dids": numbers,
                    "pin_length": pin_length,
                },
            )

    async def tenant_by_slug(self, slug: str) -> int:
        """A tenant's id from its slug."""
        async with self.db.unscoped() as session:
            row = (await session.execute(select(Tenant.id).where(Tenant.slug == slug))).first()
            if row is None:
                raise NotFound(f"There is no tenant {slug}.")
            return int(row[0])

    async def create_user(
        self,
        actor: Actor,
        name: str,
        user_number: str,
        *,
        role: str = "member",
        pin: str | None = None,
        phones: Sequence[str] = (),
        aliases: Sequence[str] = (),
        timezone: str | None = None,
        email: str | None = None,
    ) -> Created:
        """A user with a sign-in number, optional PIN, caller-ID numbers and nicknames."""
        require_tenant_role(actor, Role.ADMIN, "create users")
        new_role = Role.parse(role)
        if new_role > actor.role:
            raise InvalidInput("You can't create a user with a higher role than your own.")
        if not user_number.isdigit() or not 2 <= len(user_number) <= 12:
            raise InvalidInput("A user number must be 2 to 12 digits.")
        if pin is not None:
            async with self.db.scoped(actor.tenant_id) as session:
                check_pin_format(pin, await tenant_pin_length(session, actor.tenant_id))
        pin_hash = await hash_pin_async(pin, self.rounds) if pin is not None else None
        async with self.db.scoped(actor.tenant_id) as session, session.begin():
            clash = await session.execute(select(User.id).where(User.user_number == user_number))
            if clash.first():
                raise Conflict(f"User number {user_number} is taken.")
            user = User(
                name=name,
                user_number=user_number,
                role=new_role.label,
                pin_hash=pin_hash,
                aliases=list(aliases),
                timezone=zone(timezone).key if timezone else None,
                email=email,
            )
            user.phones = [UserPhone(number=normalise_number(p)) for p in phones]
            session.add(user)
            await session.flush()
            audit.record(session, actor, "user.create", "user", user.id, detail={"role": role})
            return Created(
                user.id,
                {
                    "id": user.id,
                    "name": name,
                    "user_number": user_number,
                    "role": new_role.label,
                    "phones": [p.number for p in user.phones],
                    "aliases": list(aliases),
                },
            )

    async def create_team(
        self, actor: Actor, name: str, members: dict[int, str], description: str = ""
    ) -> Created:
        """A team with members (user id → team role)."""
        require_tenant_role(actor, Role.ADMIN, "create teams")
        async with self.db.scoped(actor.tenant_id) as session, session.begin():
            team = Team(name=name, description=description)
            session.add(team)
            await session.flush()
            for user_id, role in members.items():
                if await session.get(User, user_id) is None:
                    raise NotFound(f"There is no user {user_id}.")
                session.add(
                    TeamMember(team_id=team.id, user_id=user_id, role=Role.parse(role).label)
                )
            audit.record(session, actor, "team.create", "team", team.id)
            return Created(
                team.id,
                {"id": team.id, "name": name, "members": {str(k): v for k, v in members.items()}},
            )

    async def create_department(
        self,
        actor: Actor,
        name: str,
        queue: str,
        open_hours: dict[str, Any] | None = None,
        description: str = "",
    ) -> Created:
        """A department reachable by transfer (its queue number is the dialplan extension)."""
        require_tenant_role(actor, Role.ADMIN, "create departments")
        if not queue.isdigit():
            raise InvalidInput("A queue number must be digits.")
        try:
            spans = hours.validate(dict(open_hours or {}))
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"Those opening hours are not valid: {exc}.") from None
        # One PBX has one queue per number: a number another tenant uses would ring their
        # agents. The unique index decides races; this look-up gives the clear message.
        taken = Conflict(f"Queue number {queue} is already in use on this PBX; choose another.")
        async with self.db.unscoped() as session:
            used = await session.execute(select(Department.id).where(Department.queue == queue))
            if used.first():
                raise taken
        try:
            async with self.db.scoped(actor.tenant_id) as session, session.begin():
                dept = Department(name=name, queue=queue, open_hours=spans, description=description)
                session.add(dept)
                await session.flush()
                audit.record(session, actor, "department.create", "department", dept.id)
                return Created(
                    dept.id, {"id": dept.id, "name": name, "queue": queue, "open_hours": spans}
                )
        except IntegrityError as exc:
            raise taken from exc

    async def set_active(self, actor: Actor, user_id: int, active: bool) -> None:
        """Deactivate (or reactivate) a user; their tokens stop working at the next call."""
        require_tenant_role(actor, Role.ADMIN, "deactivate users")
        async with self.db.scoped(actor.tenant_id) as session, session.begin():
            user = await session.get(User, user_id)
            if user is None:
                raise NotFound(f"There is no user {user_id}.")
            user.active = active
            audit.record(
                session, actor, "user.activate" if active else "user.deactivate", "user", user_id
            )
            if not active:  # their calendar feeds stop at once
                feeds = await session.execute(
                    select(FeedToken).where(
                        FeedToken.user_id == user_id, FeedToken.revoked_at.is_(None)
                    )
                )
                for feed in feeds.scalars():
                    feed.revoked_at = utcnow()
                    audit.record(session, actor, "feed.revoke", "feed", feed.id)

    async def audit_log(
        self, tenant_id: int, limit: int = 50, outcome: str | None = None
    ) -> list[dict[str, Any]]:
        """The newest audit entries of a tenant (optionally only one outcome)."""
        async with self.db.scoped(tenant_id) as session:
            query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(max(1, limit))
            if outcome:
                query = query.where(AuditEntry.outcome == outcome)
            rows = (await session.execute(query)).scalars().all()
            return [
                {
                    "at": r.at.isoformat(),
                    "actor": r.actor,
                    "channel": r.channel,
                    "call_id": r.call_id,
                    "action": r.action,
                    "target": f"{r.target_type} {r.target_id}".strip(),
                    "outcome": r.outcome,
                    "detail": r.detail,
                }
                for r in rows
            ]
