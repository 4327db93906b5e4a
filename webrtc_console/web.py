"""The console's web app (aiohttp): sign-in, pages, and the JSON API the browser code uses.

Pages: ``/login``, ``/console`` (softphone + screen-pop), ``/dashboard`` (supervisors),
``/tryit`` (talk to the assistant from the browser). API under ``/api``; every request but
sign-in needs the session cookie, and every POST needs a same-origin ``Origin`` and (once
signed in) the session's ``X-CSRF-Token``.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from mcp_tools.db.session import Database
from switchboard.settings import Settings
from webrtc_console.accounts import ConsoleAccounts
from webrtc_console.directory import Directory, Person
from webrtc_console.pbx import AgentStatus, PbxGateway
from webrtc_console.sessions import (
    COOKIE_NAME,
    CSRF_HEADER,
    ConsoleSession,
    LoginThrottle,
    SessionStore,
)

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
STATIC_DIR = Path(str(resources.files("webrtc_console") / "static"))
PAGES = {
    "/login": "login.html",
    "/login/link": "login.html",
    "/console": "console.html",
    "/dashboard": "dashboard.html",
    "/tryit": "tryit.html",
}
SIGNED_OUT_PAGES = ("/login", "/login/link")
SUPERVISOR_PAGES = ("/dashboard",)
SIGNED_IN_PAGES = ("/console", "/dashboard", "/tryit")
"""Where ``next=`` may send a browser after sign-in (same origin, known pages only)."""
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob:; connect-src 'self' wss: ws:; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'"
)


def console_origin(settings: Settings, port: int | None = None) -> str:
    """The origin browsers use for the console."""
    if settings.console.origin:
        return settings.console.origin.rstrip("/")
    host = settings.console.host
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    return f"http://{host}:{port or settings.console.port}"


def console_ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """TLS for the console's listener when ``console.tls_cert_file`` is set (else None)."""
    cert, key = settings.console.tls_cert_file, settings.console.tls_key_file
    if cert is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context


def pbx_wss_url(settings: Settings) -> str:
    """SIP over secure websockets for agents (the PBX's port 7443)."""
    if settings.console.wss_url:
        return settings.console.wss_url
    return f"wss://{_pbx_host(settings)}:{settings.pbx.wss_port}/ws"


def pbx_ws_url(settings: Settings) -> str:
    """Plain SIP websocket for the try-it page (localhost only)."""
    if settings.console.tryit_ws_url:
        return settings.console.tryit_ws_url
    return f"ws://{_pbx_host(settings)}:{settings.pbx.http_port}/ws"


def safe_next(value: str | None) -> str:
    """Where to go after sign-in: a known page of this console, else ``/console``. Anything
    that could leave the origin (``//host``, ``/\\host``, ``https:...``) is refused."""
    if not value or any(ord(c) < 0x21 or c == "\\" for c in value):
        return "/console"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return "/console"
    return parts.path if parts.path in SIGNED_IN_PAGES else "/console"


def login_link_url(origin: str, token: str) -> str:
    """A one-time sign-in link. The token rides in the fragment, which browsers never send
    to a server: it cannot reach access logs or proxies; the page posts it to sign in."""
    return f"{origin.rstrip('/')}/login/link#{token}"


def _pbx_host(settings: Settings) -> str:
    bind = settings.pbx.bind_address
    return "127.0.0.1" if bind in ("0.0.0.0", "") else bind


class ConsoleApp:
    """State behind the web handlers: accounts, sessions, directory, PBX and agent statuses."""

    def __init__(
        self,
        settings: Settings,
        *,
        db: Database,
        accounts: ConsoleAccounts,
        pbx: PbxGateway,
        origin: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.db = db
        self.directory = Directory(db)
        self.accounts = accounts
        self.pbx = pbx
        self.origin = origin
        self.sessions = SessionStore(settings.console.session_ttl_s, clock)
        self.throttle = LoginThrottle(clock=clock)
        self.ip_throttle = LoginThrottle(max_failures=30, clock=clock)
        self.statuses: dict[tuple[int, str], AgentStatus] = {}
        self.cookie_secure = (
            settings.console.cookie_secure
            if settings.console.cookie_secure is not None
            else origin.startswith("https://")
        )

    def takes_calls(self, session: ConsoleSession) -> bool:
        """Whether the session's person answers calls on their own extension (a role that
        takes calls, an extension that is not the try-it page's)."""
        settings = self.settings.console
        return (
            bool(session.extension)
            and session.role in settings.call_roles
            and session.extension != settings.tryit_extension
        )

    async def recheck(self, session: ConsoleSession) -> ConsoleSession | None:
        """The session as the person stands now: None (and every session of theirs ended)
        when they are gone or deactivated; their current role otherwise."""
        person = await self.directory.person_by_id(session.tenant_id, session.user_id)
        if person is None or not person.active:
            self.sessions.end_user(session.tenant_id, session.user_id)
            return None
        if person.role != session.role:
            supervisor = await self.directory.is_supervisor(
                person.tenant_id, person.user_id, person.role
            )
            return self.sessions.update(session, role=person.role, supervisor=supervisor)
        return session

    def sip_password(self, extension: str) -> str | None:
        """The SIP secret of an agent extension (external PBX: settings; dev PBX: its file)."""
        configured = self.settings.console.extension_secrets.get(extension)
        if configured is not None:
            return configured.get_secret_value()
        if self.settings.pbx.mode == "dev":
            from freepbx.devpbx.secrets import read_secrets

            secrets = read_secrets(self.settings.devpbx_dir)
            if secrets is not None:
                return secrets.endpoint_passwords.get(extension)
        return None

    async def start_session(self, person: Person) -> ConsoleSession:
        """Open a session for a person who proved who they are."""
        account = self.accounts.get(person.tenant_id, person.user_id)
        return self.sessions.create(
            tenant_id=person.tenant_id,
            tenant_slug=person.tenant_slug,
            user_id=person.user_id,
            user_number=person.user_number,
            name=person.name,
            role=person.role,
            supervisor=await self.directory.is_supervisor(
                person.tenant_id, person.user_id, person.role
            ),
            extension=account.extension if account else "",
        )

    async def audit(
        self,
        tenant_id: int,
        user_id: int | None,
        role: str,
        name: str,
        action: str,
        *,
        outcome: str = "ok",
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Record a console action in the tenant's audit log (channel ``console``)."""
        from mcp_tools.audit import record_apart
        from mcp_tools.policy import Actor, Role

        try:
            actor_role = Role.parse(role)
        except Exception:
            actor_role = Role.VIEWER
        actor = Actor(tenant_id, user_id, actor_role, channel="console", name=name)
        await record_apart(self.db, actor, action, outcome=outcome, detail=detail)

    def status_of(self, tenant_id: int, extension: str) -> AgentStatus:
        """An agent's chosen status (offline until they choose)."""
        return self.statuses.get((tenant_id, extension), AgentStatus("offline"))

    async def set_status(self, session: ConsoleSession, status: str, reason: str) -> AgentStatus:
        """Record an agent's status and make the queues honour it."""
        paused = status != "available"
        await self.pbx.set_paused(session.extension, paused, self.settings.console.queues)
        value = AgentStatus(status, reason[:80] if status == "paused" else "", _now_iso())
        previous = self.statuses.get((session.tenant_id, session.extension))
        self.statuses[(session.tenant_id, session.extension)] = value
        if previous is None or (previous.status, previous.reason) != (value.status, value.reason):
            await self.audit(
                session.tenant_id,
                session.user_id,
                session.role,
                session.name,
                "console.status",
                detail={"extension": session.extension, "status": status, "reason": value.reason},
            )
        return value


APP_KEY = web.AppKey("console", ConsoleApp)


def _now_iso() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")


# -- middlewares ---------------------------------------------------------------------------
@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """CSP and friends on every response."""
    response = await handler(request)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@web.middleware
async def csrf_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """State-changing requests must come from the console's own origin."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        app = request.app[APP_KEY]
        origin = request.headers.get("Origin")
        if origin is None or origin.rstrip("/") != app.origin:
            raise web.HTTPForbidden(
                text='{"error": "cross-origin request refused"}', content_type="application/json"
            )
    return await handler(request)


def current_session(request: web.Request) -> ConsoleSession | None:
    """The request's live session, if any (as of the cookie; :func:`live_session` re-checks
    the person)."""
    return request.app[APP_KEY].sessions.get(request.cookies.get(COOKIE_NAME))


async def live_session(request: web.Request) -> ConsoleSession | None:
    """The request's session after re-checking its person (deactivated: signed out)."""
    session = current_session(request)
    if session is None:
        return None
    return await request.app[APP_KEY].recheck(session)


def _json_error(status: int, message: str, code: str) -> web.HTTPException:
    cls: type[web.HTTPException] = {
        400: web.HTTPBadRequest,
        401: web.HTTPUnauthorized,
        403: web.HTTPForbidden,
        404: web.HTTPNotFound,
        429: web.HTTPTooManyRequests,
        502: web.HTTPBadGateway,
    }[status]
    import json

    return cls(text=json.dumps({"error": message, "code": code}), content_type="application/json")


async def require_session(request: web.Request, *, write: bool = False) -> ConsoleSession:
    """The session, re-checked against the person's account on every request, or 401
    (expired, absent, or the account was deactivated); for writes the CSRF token must
    match."""
    session = await live_session(request)
    if session is None:
        raise _json_error(401, "Your session has expired. Please sign in again.", "session")
    if write and not session.csrf_ok(request.headers.get(CSRF_HEADER)):
        raise _json_error(403, "The request is missing its CSRF token.", "csrf")
    return session


async def require_supervisor(request: web.Request) -> ConsoleSession:
    """A supervisor's session, or 403."""
    session = await require_session(request)
    if not session.supervisor:
        raise _json_error(403, "Only supervisors and admins can see this.", "forbidden")
    return session


# -- pages ---------------------------------------------------------------------------------
def create_app(
    settings: Settings,
    *,
    db: Database | None = None,
    accounts: ConsoleAccounts | None = None,
    pbx: PbxGateway | None = None,
    origin: str | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> web.Application:
    """The console's aiohttp application (sign-in, pages, API, static files)."""
    from webrtc_console.handlers import (
        api_agents,
        api_call,
        api_dashboard,
        api_directory,
        api_login,
        api_login_link,
        api_logout,
        api_me,
        api_sip,
        api_status,
        api_transfer,
        api_tryit,
        page,
    )

    owns_db = db is None
    console = ConsoleApp(
        settings,
        db=db or Database.from_settings(settings),
        accounts=accounts or default_accounts(settings),
        pbx=pbx or PbxGateway(settings),
        origin=(origin or console_origin(settings)).rstrip("/"),
        clock=clock,
    )
    app = web.Application(middlewares=[security_headers, csrf_guard])
    app[APP_KEY] = console
    for path in ("/", *PAGES):
        app.router.add_get(path, page)
    app.router.add_post("/api/login", api_login)
    app.router.add_post("/api/login/link", api_login_link)
    app.router.add_post("/api/logout", api_logout)
    app.router.add_get("/api/me", api_me)
    app.router.add_post("/api/sip", api_sip)
    app.router.add_post("/api/transfer", api_transfer)
    app.router.add_get("/api/calls/{call_id}", api_call)
    app.router.add_get("/api/directory", api_directory)
    app.router.add_post("/api/status", api_status)
    app.router.add_get("/api/agents", api_agents)
    app.router.add_post("/api/tryit", api_tryit)
    app.router.add_get("/api/dashboard", api_dashboard)
    app.router.add_static("/static/", STATIC_DIR, follow_symlinks=False)

    async def _cleanup(_: web.Application) -> None:
        await console.pbx.close()
        if owns_db:
            await console.db.dispose()

    app.on_cleanup.append(_cleanup)
    return app


def default_accounts(settings: Settings) -> ConsoleAccounts:
    """The console's credential file under the state folder."""
    return ConsoleAccounts(
        settings.state_dir / "console" / "accounts.json",
        bcrypt_rounds=settings.tools.bcrypt_rounds,
    )


def origin_host_port(origin: str) -> tuple[str, int]:
    """Host and port of an origin URL."""
    parts = urlsplit(origin)
    return parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80)
