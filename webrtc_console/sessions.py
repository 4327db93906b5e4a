"""Console sessions: random server-side tokens in a cookie, each with its CSRF token.

Sessions live in memory (a restart signs everyone out, which is the safe failure) and expire
after ``ttl_s``. The cookie carries only the opaque token; the CSRF token is handed to the
page by ``/api/me`` and must come back in ``X-CSRF-Token`` on every state-changing request.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

COOKIE_NAME = "sb_console"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class ConsoleSession:
    """A signed-in person."""

    token: str
    csrf: str
    tenant_id: int
    tenant_slug: str
    user_id: int
    user_number: str
    name: str
    role: str
    """Tenant role: owner, admin, member or viewer."""
    supervisor: bool
    """May see the dashboard and every agent's status (tenant admin+, or a team admin+)."""
    extension: str
    expires_at: float

    def csrf_ok(self, presented: str | None) -> bool:
        """Constant-time check of a presented CSRF token."""
        return presented is not None and hmac.compare_digest(presented, self.csrf)


class SessionStore:
    """Creates, finds and ends sessions."""

    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.clock = clock
        self._sessions: dict[str, ConsoleSession] = {}

    def create(
        self,
        *,
        tenant_id: int,
        tenant_slug: str,
        user_id: int,
        user_number: str,
        name: str,
        role: str,
        supervisor: bool,
        extension: str,
    ) -> ConsoleSession:
        """A new session (any previous one of the same browser is simply replaced)."""
        session = ConsoleSession(
            token=secrets.token_urlsafe(32),
            csrf=secrets.token_urlsafe(24),
            tenant_id=tenant_id,
            tenant_slug=tenant_slug,
            user_id=user_id,
            user_number=user_number,
            name=name,
            role=role,
            supervisor=supervisor,
            extension=extension,
            expires_at=self.clock() + self.ttl_s,
        )
        self._sessions[session.token] = session
        return session

    def get(self, token: str | None) -> ConsoleSession | None:
        """The live session for a cookie value; expired ones are dropped."""
        if not token:
            return None
        session = self._sessions.get(token)
        if session is None:
            return None
        if session.expires_at <= self.clock():
            del self._sessions[token]
            return None
        return session

    def end(self, token: str | None) -> None:
        """Sign out."""
        if token:
            self._sessions.pop(token, None)

    def end_user(self, tenant_id: int, user_id: int) -> int:
        """End every session of one person (deactivated); how many were ended."""
        doomed = [
            t for t, s in self._sessions.items() if (s.tenant_id, s.user_id) == (tenant_id, user_id)
        ]
        for token in doomed:
            del self._sessions[token]
        return len(doomed)

    def update(self, session: ConsoleSession, **changes: object) -> ConsoleSession:
        """The same session (token, CSRF, expiry) with fields changed (a new role)."""
        updated = replace(session, **changes)  # type: ignore[arg-type]
        if session.token in self._sessions:
            self._sessions[session.token] = updated
        return updated

    def active(self, tenant_id: int) -> list[ConsoleSession]:
        """Live sessions of a tenant."""
        now = self.clock()
        return [
            s for s in self._sessions.values() if s.tenant_id == tenant_id and s.expires_at > now
        ]


class LoginThrottle:
    """Back-off after failed sign-ins, per account and per client address.

    ``max_failures`` failures are free; each further one locks the key for ``base_s``
    doubling up to ``max_s``. A success clears the account's and the address's counters.
    """

    def __init__(
        self,
        *,
        max_failures: int = 5,
        base_s: float = 30.0,
        max_s: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.base_s = base_s
        self.max_s = max_s
        self.clock = clock
        self._state: dict[str, tuple[int, float]] = {}

    def retry_after(self, *keys: str) -> float:
        """Seconds until any of the keys may try again (0 when free)."""
        now = self.clock()
        return max([0.0] + [self._state.get(k, (0, 0.0))[1] - now for k in keys])

    def failed(self, *keys: str) -> None:
        """Count a failure against each key."""
        now = self.clock()
        for key in keys:
            count = self._state.get(key, (0, 0.0))[0] + 1
            over = count - self.max_failures
            until = now + min(self.max_s, self.base_s * 2 ** (over - 1)) if over > 0 else 0.0
            self._state[key] = (count, until)

    def succeeded(self, *keys: str) -> None:
        """Forget the keys' failures."""
        for key in keys:
            self._state.pop(key, None)
