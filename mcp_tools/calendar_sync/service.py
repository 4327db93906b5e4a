"""Connecting, choosing, inspecting and disconnecting a user's Google calendar.

Used by ``switchboard calendar ...`` and by the callback handler a console can mount
(:mod:`mcp_tools.calendar_sync.web`). Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select

from mcp_tools import audit
from mcp_tools.calendar_sync import oauth
from mcp_tools.calendar_sync.google_api import CalendarApi, GoogleError
from mcp_tools.calendar_sync.vault import Vault
from mcp_tools.db.models import CalendarOutbox, Event, EventLink, GoogleConnection, User
from mcp_tools.db.session import Database
from mcp_tools.policy import Actor
from mcp_tools.services.admin import operator
from switchboard.settings import CalendarSettings


class ConnectError(RuntimeError):
    """A connect/disconnect step failed; the message is one sentence for the user."""


@dataclass(frozen=True)
class Started:
    """A started authorization: the URL to open and its state."""

    url: str
    state: str


def iso(value: datetime | None) -> str | None:
    """ISO text of an optional time."""
    return value.isoformat() if value else None


class CalendarConnections:
    """Connection lifecycle for users (see the module docstring)."""

    def __init__(self, db: Database, cfg: CalendarSettings, vault: Vault) -> None:
        self.db, self.cfg, self.vault = db, cfg, vault

    async def start(self, tenant_id: int, user_id: int) -> Started:
        """Begin authorization: keep state and the PKCE verifier, return the URL to open."""
        url, state, verifier = oauth.authorization_url(self.cfg)
        async with self.db.scoped(tenant_id) as session, session.begin():
            conn = await _conn(session, user_id)
            if conn is None:
                conn = GoogleConnection(user_id=user_id)
                session.add(conn)
            if conn.status != "connected":
                conn.status = "pending"
            conn.oauth_state, conn.code_verifier_enc = state, self.vault.seal(verifier)
        return Started(url, state)

    async def finish(self, state: str, code: str) -> dict[str, Any]:
        """Complete authorization from the redirect's ``state`` and ``code``."""
        async with self.db.unscoped() as session:
            row = (
                await session.execute(
                    select(GoogleConnection.tenant_id, GoogleConnection.id).where(
                        GoogleConnection.oauth_state == state
                    )
                )
            ).first()
        if row is None or not state:
            raise ConnectError("That authorization link is unknown or was already used.")
        tenant_id, conn_id = int(row[0]), int(row[1])
        async with self.db.scoped(tenant_id) as session, session.begin():
            conn = await session.get(GoogleConnection, conn_id)
            assert conn is not None and conn.code_verifier_enc is not None
            verifier = self.vault.open(conn.code_verifier_enc)
            conn.oauth_state, conn.code_verifier_enc = None, None  # one use only
        try:
            grant = await oauth.exchange_code(self.cfg, state, verifier, code)
        except oauth.OAuthError as exc:
            raise ConnectError(str(exc)) from None
        async with self.db.scoped(tenant_id) as session, session.begin():
            conn = await session.get(GoogleConnection, conn_id)
            assert conn is not None
            conn.refresh_token_enc = self.vault.seal(grant.refresh_token)
            conn.access_token_enc = self.vault.seal(grant.access_token)
            conn.access_expires_at = grant.expires_at
            conn.status, conn.sync_token, conn.failures, conn.last_error = "connected", None, 0, ""
            conn.next_sync_at = None
            actor = _actor(conn)
            audit.record(session, actor, "calendar.connect", "google", conn.id)
            return _status(conn, 0)

    async def awaiting_callback(self, tenant_id: int, user_id: int) -> bool:
        """True while a started authorization has not come back yet."""
        async with self.db.scoped(tenant_id) as session:
            conn = await _conn(session, user_id)
            return conn is not None and conn.oauth_state is not None

    async def disconnect(self, tenant_id: int, user_id: int) -> dict[str, Any]:
        """Revoke the grant at Google, forget the tokens and the events imported from Google."""
        async with self.db.scoped(tenant_id) as session, session.begin():
            conn = await _conn(session, user_id)
            if conn is None:
                raise ConnectError("That user has no Google calendar connected.")
            token = self.vault.open(conn.refresh_token_enc) if conn.refresh_token_enc else None
        revoked = await oauth.revoke(self.cfg, token) if token else False
        async with self.db.scoped(tenant_id) as session, session.begin():
            conn = await _conn(session, user_id)
            assert conn is not None
            await _forget_google(session, conn)
            conn.status, conn.refresh_token_enc, conn.access_token_enc = "disconnected", None, None
            conn.sync_token, conn.oauth_state, conn.code_verifier_enc = None, None, None
            audit.record(
                session,
                _actor(conn),
                "calendar.disconnect",
                "google",
                conn.id,
                detail={"revoked_at_google": revoked},
            )
            return {**_status(conn, 0), "revoked_at_google": revoked}

    async def calendars(self, tenant_id: int, user_id: int) -> list[dict[str, Any]]:
        """The user's Google calendars (id, name, primary, access role)."""
        api = await self._api(tenant_id, user_id)
        try:
            reply = await api.call(lambda s: s.calendarList().list())
        except GoogleError as exc:
            raise ConnectError(f"Could not list calendars: {exc}") from None
        return [
            {
                "id": c["id"],
                "summary": c.get("summary", ""),
                "primary": bool(c.get("primary")),
                "access_role": c.get("accessRole", ""),
            }
            for c in reply.get("items", [])
        ]

    async def choose(self, tenant_id: int, user_id: int, calendar_id: str) -> dict[str, Any]:
        """Sync with another calendar from now on (a full sync follows)."""
        async with self.db.scoped(tenant_id) as session, session.begin():
            conn = await _conn(session, user_id)
            if conn is None or conn.status != "connected":
                raise ConnectError("Connect a Google calendar first.")
            if conn.calendar_id != calendar_id:
                await _forget_google(session, conn)
                conn.calendar_id, conn.sync_token, conn.next_sync_at = calendar_id, None, None
            audit.record(
                session,
                _actor(conn),
                "calendar.choose",
                "google",
                conn.id,
                detail={"calendar": calendar_id[:200]},
            )
            return _status(conn, 0)

    async def status(self, tenant_id: int, user_id: int | None = None) -> list[dict[str, Any]]:
        """Sync status of one user's connection, or of every connection in the tenant."""
        async with self.db.scoped(tenant_id) as session:
            query = select(GoogleConnection).order_by(GoogleConnection.id)
            if user_id is not None:
                query = query.where(GoogleConnection.user_id == user_id)
            out = []
            for conn in (await session.execute(query)).scalars():
                pending = await session.execute(
                    select(func.count()).where(
                        CalendarOutbox.user_id == conn.user_id, CalendarOutbox.status == "pending"
                    )
                )
                row = await session.execute(
                    select(User.name, User.user_number).where(User.id == conn.user_id)
                )
                name, number = row.one()
                entry = {"user": name, "user_number": number, **_status(conn, 0)}
                entry["pending_pushes"] = int(pending.scalar_one())
                out.append(entry)
            return out

    async def _api(self, tenant_id: int, user_id: int) -> CalendarApi:
        async with self.db.scoped(tenant_id) as session:
            conn = await _conn(session, user_id)
            if conn is None or conn.status != "connected" or not conn.refresh_token_enc:
                raise ConnectError("Connect a Google calendar first.")
            return CalendarApi(self.cfg, self.vault.open(conn.refresh_token_enc))


def _actor(conn: GoogleConnection) -> Actor:
    return operator(conn.tenant_id, channel="api", name="calendar")


async def _conn(session: Any, user_id: int) -> GoogleConnection | None:
    query = select(GoogleConnection).where(GoogleConnection.user_id == user_id)
    result: GoogleConnection | None = (await session.execute(query)).scalar_one_or_none()
    return result


async def _forget_google(session: Any, conn: GoogleConnection) -> None:
    """Drop events imported from Google, all links and pending pushes of a connection."""
    imported = select(EventLink.event_id).where(
        EventLink.connection_id == conn.id, EventLink.origin == "google"
    )
    await session.execute(delete(Event).where(Event.id.in_(imported)))
    await session.execute(delete(EventLink).where(EventLink.connection_id == conn.id))
    await session.execute(
        delete(CalendarOutbox).where(
            CalendarOutbox.user_id == conn.user_id, CalendarOutbox.status == "pending"
        )
    )


def _status(conn: GoogleConnection, pending: int) -> dict[str, Any]:
    return {
        "user_id": conn.user_id,
        "status": conn.status,
        "calendar_id": conn.calendar_id,
        "last_sync_at": iso(conn.last_sync_at),
        "last_error": conn.last_error,
        "last_error_at": iso(conn.last_error_at),
        "failures": conn.failures,
        "next_sync_at": iso(conn.next_sync_at),
        "pending_pushes": pending,
        "checked_at": datetime.now(UTC).isoformat(),
    }
