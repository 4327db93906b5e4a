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
from dataclasses import dataclass

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

    def active(self, tenant_id: int) -> list[ConsoleSession]:
        """Live sessions of a tenant."""
        now = self.clock()
        return [
            s for s in self._sessions.values() if s.tenant_id == tenant_id and s.expires_at > now
        ]
