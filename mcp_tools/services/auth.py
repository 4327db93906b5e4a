"""Caller sign-in for the telephony side: tenant by DID, user hints, PIN check with lockout.

Typical use by ``ari_app`` (the only things it needs from the data layer)::

    tenant = await auth.identify_tenant(did)
    hint = await auth.suggest_user(tenant.id, caller_number)      # may be None
    user = hint or await auth.find_user_by_number(tenant.id, keyed_digits)
    uid = user.id if user else None
    result = await auth.verify_pin(tenant.id, uid, pin, caller_number, call_id)
    if result.ok: token = result.token                             # per-call tool token

PINs never leave this module: not logged, not audited, not returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mcp_tools import audit
from mcp_tools.db.base import utcnow
from mcp_tools.db.models import PinAttempt, Tenant, TenantDid, User, UserPhone
from mcp_tools.db.session import Database
from mcp_tools.errors import NotFound
from mcp_tools.pins import (
    DEFAULT_PIN_LENGTH,
    check_pin_format,
    decayed_failures,
    hash_pin_async,
    lockout_seconds,
    verify_pin_async,
)
from mcp_tools.policy import Actor, Role, require_tenant_role
from mcp_tools.tokens import TokenService
from switchboard.settings import ToolsSettings

PinOutcome = Literal["ok", "wrong_pin", "locked"]


def normalise_number(number: str) -> str:
    """A phone number reduced to ``+`` and digits (caller ID and DIDs compare this way)."""
    cleaned = re.sub(r"[^\d+]", "", number or "")
    return cleaned[:1] + cleaned[1:].replace("+", "")


@dataclass(frozen=True)
class TenantInfo:
    """The tenant a call reached."""

    id: int
    name: str
    slug: str
    timezone: str


@dataclass(frozen=True)
class UserInfo:
    """A user as the telephony side sees them (no PIN material)."""

    id: int
    tenant_id: int
    name: str
    role: str
    user_number: str
    timezone: str | None


@dataclass(frozen=True)
class PinResult:
    """The outcome of one PIN attempt."""

    ok: bool
    outcome: PinOutcome
    user: UserInfo | None
    attempts_left: int
    """Failures still allowed before a lockout (0 when locked)."""
    locked_until: datetime | None
    token: str | None = None
    """A per-call tool token when ``ok`` and the service has a token issuer."""

    @property
    def retry_after_s(self) -> float:
        """Seconds until another attempt is accepted (0 when not locked)."""
        if self.locked_until is None:
            return 0.0
        return max(0.0, (self.locked_until - utcnow()).total_seconds())


async def tenant_pin_length(session: AsyncSession, tenant_id: int) -> int:
    """How many digits the tenant's new PINs must have (its policy; 6 by default)."""
    row = await session.execute(select(Tenant.pin_length).where(Tenant.id == tenant_id))
    length = row.scalar_one_or_none()
    return int(length) if length else DEFAULT_PIN_LENGTH


def _info(user: User) -> UserInfo:
    return UserInfo(user.id, user.tenant_id, user.name, user.role, user.user_number, user.timezone)


class AuthService:
    """PIN sign-in over the database; see the module docstring."""

    def __init__(
        self, db: Database, policy: ToolsSettings, tokens: TokenService | None = None
    ) -> None:
        self.db = db
        self.policy = policy
        self.tokens = tokens

    async def identify_tenant(self, did: str) -> TenantInfo | None:
        """The tenant owning a dialled number, or None."""
        async with self.db.unscoped() as session:
            row = await session.execute(
                select(Tenant).join(TenantDid).where(TenantDid.did == normalise_number(did))
            )
            tenant = row.scalar_one_or_none()
            return (
                TenantInfo(tenant.id, tenant.name, tenant.slug, tenant.timezone) if tenant else None
            )

    async def suggest_user(self, tenant_id: int, caller_number: str) -> UserInfo | None:
        """The active user whose known number is calling (a hint; the PIN still decides)."""
        async with self.db.scoped(tenant_id) as session:
            row = await session.execute(
                select(User)
                .join(UserPhone, UserPhone.user_id == User.id)
                .where(UserPhone.number == normalise_number(caller_number), User.active.is_(True))
            )
            user = row.scalar_one_or_none()
            return _info(user) if user else None

    async def find_user_by_number(self, tenant_id: int, user_number: str) -> UserInfo | None:
        """The active user with this sign-in number."""
        async with self.db.scoped(tenant_id) as session:
            row = await session.execute(
                select(User).where(User.user_number == user_number.strip(), User.active.is_(True))
            )
            user = row.scalar_one_or_none()
            return _info(user) if user else None

    async def verify_pin(
        self,
        tenant_id: int,
        user_id: int | None,
        pin: str,
        caller_number: str = "",
        call_id: str | None = None,
    ) -> PinResult:
        """Check a PIN for a user (None: unknown user, still timed like a real check).

        Theory of operation: the attempt is *charged* (counted as a failure, with the lockout
        that count brings) in one short transaction that holds the user's and the calling
        number's rows, before bcrypt runs; a right PIN then refunds it (counters cleared). So
        N simultaneous guesses for one user run at most ``pin_max_failures`` bcrypt checks:
        the rest find the lock the earlier ones took. No lock is held while bcrypt hashes.
        """
        # Withheld caller IDs share one bucket: slower for them, but no free guesses.
        number = normalise_number(caller_number) or "anonymous"
        actor = Actor(tenant_id, user_id, Role.VIEWER, call_id=call_id, name=f"caller {number}")
        async with self.db.scoped(tenant_id) as session, session.begin():
            user = await self._user(session, user_id, lock=True)
            attempt = await self._attempt_row(session, number)
            now = utcnow()
            times = [t for t in (user and user.locked_until, attempt.locked_until) if t]
            locked = max(times, default=None)
            if locked is not None and locked > now:
                audit.record(
                    session,
                    actor,
                    "auth.pin",
                    "user",
                    user_id or "",
                    outcome="refused",
                    detail={"reason": "locked"},
                )
                return PinResult(False, "locked", None, 0, locked)
            count, until = self._charge(user, attempt, now)
            pin_hash = user.pin_hash if user is not None and user.active else None
        ok = await verify_pin_async(pin, pin_hash, self.policy.bcrypt_rounds)
        if ok and pin_hash is not None:
            return await self._refund(tenant_id, user_id, number, actor)
        async with self.db.scoped(tenant_id) as session, session.begin():
            audit.record(
                session,
                actor,
                "auth.pin",
                "user",
                user_id or "",
                outcome="refused",
                detail={"reason": "wrong_pin", "failures": count},
            )
        left = max(0, self.policy.pin_max_failures - count)
        return PinResult(False, "locked" if until else "wrong_pin", None, left, until)

    def _charge(
        self, user: User | None, attempt: PinAttempt, now: datetime
    ) -> tuple[int, datetime | None]:
        """Count one failure against the number (and the user), decayed first; lock when the
        count calls for it. Returns the highest count and the lock taken, if any."""
        decay = self.policy.pin_failure_decay_s
        attempt.failures = decayed_failures(attempt.failures, attempt.failed_at, now, decay) + 1
        attempt.failed_at = now
        counted: list[tuple[User | PinAttempt, int]] = [(attempt, attempt.failures)]
        if user is not None:
            user.pin_failures = (
                decayed_failures(user.pin_failures, user.pin_failed_at, now, decay) + 1
            )
            user.pin_failed_at = now
            counted.append((user, user.pin_failures))
        until: datetime | None = None
        for row, count in counted:
            seconds = self._lock_for(count)
            if seconds:
                row.locked_until = now + timedelta(seconds=seconds)
                until = max(until or row.locked_until, row.locked_until)
        return max(c for _, c in counted), until

    async def _refund(
        self, tenant_id: int, user_id: int | None, number: str, actor: Actor
    ) -> PinResult:
        """The PIN was right: clear the counters the attempt was charged to, mint a token."""
        async with self.db.scoped(tenant_id) as session, session.begin():
            user = await self._user(session, user_id, lock=True)
            attempt = await self._attempt_row(session, number)
            if user is None or not user.active:  # deactivated while bcrypt ran
                return PinResult(False, "wrong_pin", None, 0, None)
            user.pin_failures, user.locked_until, user.pin_failed_at = 0, None, None
            attempt.failures, attempt.locked_until, attempt.failed_at = 0, None, None
            audit.record(session, actor, "auth.pin", "user", user.id)
            token = None
            if self.tokens is not None:
                token = self.tokens.mint(
                    tenant_id=tenant_id, user_id=user.id, role=user.role, call_id=actor.call_id
                )
            return PinResult(True, "ok", _info(user), self.policy.pin_max_failures, None, token)

    @staticmethod
    async def _user(session: AsyncSession, user_id: int | None, *, lock: bool) -> User | None:
        if user_id is None:
            return None
        query = select(User).where(User.id == user_id)
        if lock:
            query = query.with_for_update()
        return (await session.execute(query)).scalar_one_or_none()

    def _lock_for(self, failures: int) -> float:
        p = self.policy
        return lockout_seconds(
            failures, p.pin_max_failures, p.pin_lockout_base_s, p.pin_lockout_max_s
        )

    async def _attempt_row(self, session: AsyncSession, number: str) -> PinAttempt:
        query = select(PinAttempt).where(PinAttempt.caller_number == number).with_for_update()
        attempt = (await session.execute(query)).scalar_one_or_none()
        if attempt is not None:
            return attempt
        try:
            async with session.begin_nested():
                attempt = PinAttempt(caller_number=number, failures=0)
                session.add(attempt)
            return attempt
        except IntegrityError:  # a concurrent attempt from the same number created it
            return (await session.execute(query)).scalar_one()

    async def reset_pin(self, actor: Actor, user_id: int, new_pin: str) -> UserInfo:
        """Set a user's PIN (as long as the tenant's policy says) and clear their lockout
        (tenant Admin, or the user themselves)."""
        check_pin_format(new_pin)
        if actor.user_id != user_id:
            require_tenant_role(actor, Role.ADMIN, "reset other people's PINs")
        async with self.db.scoped(actor.tenant_id) as session:
            check_pin_format(new_pin, await tenant_pin_length(session, actor.tenant_id))
        pin_hash = await hash_pin_async(new_pin, self.policy.bcrypt_rounds)
        async with self.db.scoped(actor.tenant_id) as session, session.begin():
            user = (
                await session.execute(select(User).where(User.id == user_id))
            ).scalar_one_or_none()
            if user is None:
                raise NotFound(f"There is no user {user_id}.")
            user.pin_hash, user.pin_failures, user.locked_until = pin_hash, 0, None
            user.pin_failed_at = None
            audit.record(session, actor, "auth.pin_reset", "user", user.id)
            return _info(user)

    async def clear_number_lockout(self, actor: Actor, caller_number: str) -> None:
        """Lift the lockout of a calling number (tenant Admin)."""
        require_tenant_role(actor, Role.ADMIN, "lift lockouts")
        async with self.db.scoped(actor.tenant_id) as session, session.begin():
            query = select(PinAttempt).where(
                PinAttempt.caller_number == normalise_number(caller_number)
            )
            attempt = (await session.execute(query)).scalar_one_or_none()
            if attempt is not None:
                attempt.failures, attempt.locked_until, attempt.failed_at = 0, None, None
            audit.record(session, actor, "auth.unlock_number", "number", caller_number)
