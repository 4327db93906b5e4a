"""One unit of work per tool call: a tenant-scoped transaction, the acting user, auditing.

:class:`Runner` is what every tool goes through. It opens a session bound to the caller's
tenant, loads the caller, runs the domain function inside one transaction, retries when a
concurrent update won the race (optimistic version check), and turns every failure into a
:class:`~mcp_tools.errors.ToolFailure` with one sentence. Refused or rejected writes are audited
in a transaction of their own, since the action's own transaction rolls back.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from mcp_tools import audit
from mcp_tools.confirm import Confirmations
from mcp_tools.db.models import Tenant, User
from mcp_tools.db.session import Database
from mcp_tools.errors import Conflict, Forbidden, ToolFailure
from mcp_tools.policy import Actor, Role

log = logging.getLogger(__name__)
RETRIES = 5


@dataclass(frozen=True)
class Reply:
    """A tool's answer: a short sentence to speak and structured data for the agent."""

    text: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Work:
    """What a domain function gets: the session, the actor, their user row and timezone."""

    session: AsyncSession
    actor: Actor
    me: User
    tz: str
    now: datetime
    confirmations: Confirmations = field(default_factory=Confirmations)

    @property
    def user_id(self) -> int:
        """The acting user's id."""
        return self.me.id

    def audit(
        self,
        action: str,
        target_type: str = "",
        target_id: object = "",
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Record a successful change in this transaction."""
        audit.record(self.session, self.actor, action, target_type, target_id, detail=detail)

    def confirmed(self, token: str | None, action: str, target: object) -> bool:
        """True when the caller has said yes to exactly this action on this target."""
        return self.confirmations.valid(token, self.actor, action, target)

    def ask_first(
        self, question: str, action: str, target: object, data: dict[str, Any] | None = None
    ) -> Reply:
        """Change nothing; ask ``question`` and hand the agent a token for the yes."""
        token = self.confirmations.issue(self.actor, action, target)
        return Reply(question, {**(data or {}), "needs_confirmation": {"token": token}})


DomainFn = Callable[[Work], Awaitable[Reply]]


class Runner:
    """Runs domain functions for verified actors (see the module docstring)."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime] | None = None,
        confirmations: Confirmations | None = None,
    ) -> None:
        self.db = db
        self.clock = clock or (lambda: datetime.now(UTC))
        self.confirmations = confirmations or Confirmations()

    async def run(self, actor: Actor, action: str, fn: DomainFn, *, write: bool) -> Reply:
        """Run ``fn`` as ``actor``; audits refusals; raises only :class:`ToolFailure`."""
        try:
            return await self._run_with_retries(actor, fn)
        except ToolFailure as failure:
            if write or isinstance(failure, Forbidden):
                await audit.record_apart(
                    self.db,
                    actor,
                    action,
                    outcome=failure.outcome,
                    detail={"reason": failure.message, "code": failure.code},
                )
            raise
        except Exception:
            log.exception("tool action %s failed", action)
            if write:
                await audit.record_apart(self.db, actor, action, outcome="failed")
            raise ToolFailure("Sorry, something went wrong on my side; please try again.") from None

    async def _run_with_retries(self, actor: Actor, fn: DomainFn) -> Reply:
        for attempt in range(RETRIES):
            try:
                return await self._run_once(actor, fn)
            except StaleDataError:
                log.info("concurrent update, retrying (%d)", attempt + 1)
            except IntegrityError as exc:
                log.info("integrity error: %s", exc.orig)
                raise Conflict("That clashes with something that already exists.") from None
            except DBAPIError as exc:
                if not _is_retryable(exc) or attempt == RETRIES - 1:
                    raise
                log.info("serialisation conflict, retrying (%d)", attempt + 1)
        raise Conflict("Someone else changed that at the same moment; please try again.")

    async def _run_once(self, actor: Actor, fn: DomainFn) -> Reply:
        async with self.db.scoped(actor.tenant_id) as session, session.begin():
            me, tenant_tz = await load_actor_user(session, actor)
            tz = me.timezone or tenant_tz
            work = Work(session, actor, me, tz, self.clock(), self.confirmations)
            return await fn(work)


async def load_actor_user(session: AsyncSession, actor: Actor) -> tuple[User, str]:
    """The acting user (who must exist in the actor's tenant and be active) and the tenant's
    timezone, in one query."""
    if actor.user_id is None:
        raise Forbidden("I don't know who you are, so I can't do that.")
    row = (
        await session.execute(
            select(User, Tenant.timezone)
            .join(Tenant, Tenant.id == User.tenant_id)
            .where(User.id == actor.user_id)
        )
    ).first()
    me = row[0] if row else None
    if row is None or me is None or not me.active:
        raise Forbidden("Your account is not active, so I can't do that.")
    if Role.parse(me.role) < actor.role:
        # The role in the token can never exceed the role in the database.
        raise Forbidden("Your access has changed since this call began; please call again.")
    return me, str(row[1])


def _is_retryable(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return any(s in text for s in ("deadlock", "could not serialize", "database is locked"))
