"""The console's web app (aiohttp): sign-in, pages, and the JSON API the browser code uses.

Pages: ``/login``, ``/console`` (softphone + screen-pop), ``/dashboard`` (supervisors),
``/tryit`` (talk to the assistant from the browser). API under ``/api``; every request but
sign-in needs the session cookie, and every POST needs a same-origin ``Origin`` and (once
signed in) the session's ``X-CSRF-Token``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from mcp_tools.db.session import Database
from switchboard.settings import Settings
from webrtc_console.accounts import AccountError, ConsoleAccounts
from webrtc_console.directory import Directory, Person
from webrtc_console.pbx import STATUSES, AgentStatus, PbxGateway
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
    "/console": "console.html",
    "/dashboard": "dashboard.html",
    "/tryit": "tryit.html",
}
SIGNED_OUT_PAGES = ("/login",)
SUPERVISOR_PAGES = ("/dashboard",)
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
    """The request's live session, if any."""
    return request.app[APP_KEY].sessions.get(request.cookies.get(COOKIE_NAME))


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


def require_session(request: web.Request, *, write: bool = False) -> ConsoleSession:
    """The session, or 401 (expired/absent); for writes the CSRF token must match."""
    session = current_session(request)
    if session is None:
        raise _json_error(401, "Your session has expired. Please sign in again.", "session")
    if write and not session.csrf_ok(request.headers.get(CSRF_HEADER)):
        raise _json_error(403, "The request is missing its CSRF token.", "csrf")
    return session


def require_supervisor(request: web.Request) -> ConsoleSession:
    """A supervisor's session, or 403."""
    session = require_session(request)
    if not session.supervisor:
        raise _json_error(403, "Only supervisors and admins can see this.", "forbidden")
    return session


# -- pages ---------------------------------------------------------------------------------
async def page(request: web.Request) -> web.StreamResponse:
    """Serve a page; signed-out visitors go to the sign-in page."""
    path = request.path.rstrip("/") or "/console"
    session = current_session(request)
    if path == "/":
        raise web.HTTPFound("/console" if session else "/login")
    if path not in SIGNED_OUT_PAGES and session is None:
        raise web.HTTPFound(f"/login?next={path}")
    if path in SUPERVISOR_PAGES and session is not None and not session.supervisor:
        raise web.HTTPFound("/console")
    return web.FileResponse(STATIC_DIR / PAGES[path])


async def login_link(request: web.Request) -> web.StreamResponse:
    """A one-time sign-in link: valid once, then gone."""
    app = request.app[APP_KEY]
    try:
        tenant_id, user_id = await asyncio.to_thread(
            app.accounts.consume_link, request.match_info["token"]
        )
    except AccountError as exc:
        raise web.HTTPFound(f"/login?error={_quote(str(exc))}") from exc
    person = await app.directory.person_by_id(tenant_id, user_id)
    if person is None or not person.active:
        raise web.HTTPFound("/login?error=" + _quote("This account is not active."))
    await app.audit(
        person.tenant_id,
        person.user_id,
        person.role,
        person.name,
        "console.sign_in",
        detail={"method": "link"},
    )
    session = await app.start_session(person)
    response = web.HTTPFound("/console")
    _set_cookie(app, response, session)
    raise response


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


def _set_cookie(app: ConsoleApp, response: web.StreamResponse, session: ConsoleSession) -> None:
    response.set_cookie(
        COOKIE_NAME,
        session.token,
        max_age=int(app.sessions.ttl_s),
        httponly=True,
        secure=app.cookie_secure,
        samesite="Strict",
        path="/",
    )


# -- API -----------------------------------------------------------------------------------
async def api_login(request: web.Request) -> web.StreamResponse:
    """Password sign-in: tenant slug, user number, password."""
    app = request.app[APP_KEY]
    try:
        body = await request.json()
        tenant, user, password = str(body["tenant"]), str(body["user"]), str(body["password"])
    except (ValueError, KeyError, TypeError) as exc:
        raise _json_error(
            400, "Give your organisation, user number and password.", "input"
        ) from exc
    account_key, ip_key = f"{tenant.strip()[:60]}:{user.strip()[:12]}", request.remote or "?"
    wait_s = max(app.throttle.retry_after(account_key), app.ip_throttle.retry_after(ip_key))
    if wait_s > 0:
        raise _json_error(
            429, f"Too many failed sign-ins. Try again in {int(wait_s) + 1} seconds.", "throttled"
        )
    person = await app.directory.person(tenant, user)
    ok = await asyncio.to_thread(
        app.accounts.check_password,
        person.tenant_id if person else None,
        person.user_id if person else None,
        password,
    )
    if person is None or not ok or not person.active:
        log.info("console sign-in refused for %s/%s", tenant[:40], user[:12])
        app.throttle.failed(account_key)
        app.ip_throttle.failed(ip_key)
        if person is not None:
            await app.audit(
                person.tenant_id,
                person.user_id,
                person.role,
                person.name,
                "console.sign_in",
                outcome="refused",
            )
        raise _json_error(401, "Wrong organisation, user number or password.", "credentials")
    app.throttle.succeeded(account_key)
    app.ip_throttle.succeeded(ip_key)
    await app.audit(
        person.tenant_id,
        person.user_id,
        person.role,
        person.name,
        "console.sign_in",
        detail={"method": "password"},
    )
    session = await app.start_session(person)
    response = web.json_response({"ok": True, "csrf": session.csrf})
    _set_cookie(app, response, session)
    return response


async def api_logout(request: web.Request) -> web.StreamResponse:
    """Sign out (ends the session; the browser should unregister first)."""
    session = require_session(request, write=True)
    app = request.app[APP_KEY]
    if session.extension:
        await _safe(app.set_status(session, "offline", ""))
    app.sessions.end(session.token)
    response = web.json_response({"ok": True})
    response.del_cookie(COOKIE_NAME, path="/")
    return response


async def api_me(request: web.Request) -> web.StreamResponse:
    """Who is signed in, their departments and how their browser reaches the PBX."""
    session = require_session(request)
    app = request.app[APP_KEY]
    settings = app.settings
    departments = await app.directory.agent_departments(
        session.tenant_id, session.user_id, session.role
    )
    sip: dict[str, Any] | None = None
    if session.extension:
        sip = {
            "extension": session.extension,
            "uri": f"sip:{session.extension}@{settings.console.sip_domain or _pbx_host(settings)}",
            "password": app.sip_password(session.extension),
            "ws_url": pbx_wss_url(settings),
        }
    return web.json_response(
        {
            "name": session.name,
            "tenant": session.tenant_slug,
            "user_number": session.user_number,
            "role": session.role,
            "supervisor": session.supervisor,
            "csrf": session.csrf,
            "sip": sip,
            "status": asdict(app.status_of(session.tenant_id, session.extension)),
            "departments": [asdict(d) for d in departments],
            "assistant": settings.console.assistant_exten,
            "session_expires_in_s": round(session.expires_at - app.sessions.clock()),
        }
    )


async def api_call(request: web.Request) -> web.StreamResponse:
    """The screen-pop for a handed-off call (only the agent's own tenant's calls)."""
    session = require_session(request)
    app = request.app[APP_KEY]
    pop = await app.directory.screen_pop(session.tenant_id, request.match_info["call_id"][:80])
    if pop is None:
        raise _json_error(404, "No record of this call.", "not_found")
    return web.json_response(pop.as_dict())


async def api_directory(request: web.Request) -> web.StreamResponse:
    """Transfer targets: the tenant's agents, its department queues and the assistant."""
    session = require_session(request)
    app = request.app[APP_KEY]
    accounts = app.accounts.by_extension(session.tenant_id)
    names = await app.directory.names(session.tenant_id, {a.user_id for a in accounts.values()})
    departments = await app.directory.departments(session.tenant_id)
    return web.json_response(
        {
            "agents": [
                {"extension": ext, "name": names.get(a.user_id, ext)}
                for ext, a in sorted(accounts.items())
                if ext != session.extension
            ],
            "queues": [asdict(d) for d in departments],
            "assistant": app.settings.console.assistant_exten,
        }
    )


async def api_status(request: web.Request) -> web.StreamResponse:
    """Set the signed-in agent's status (available / paused with reason / offline)."""
    session = require_session(request, write=True)
    app = request.app[APP_KEY]
    if not session.extension:
        raise _json_error(400, "You have no extension to take calls on.", "no_extension")
    try:
        body = await request.json()
        status, reason = str(body["status"]), str(body.get("reason", ""))
    except (ValueError, KeyError, TypeError) as exc:
        raise _json_error(400, "Give a status.", "input") from exc
    if status not in STATUSES:
        raise _json_error(400, f"The status must be one of {', '.join(STATUSES)}.", "input")
    try:
        value = await app.set_status(session, status, reason)
    except Exception as exc:  # the PBX refused or is away: say so, keep the old status
        log.warning("could not set status of %s: %s", session.extension, exc)
        raise _json_error(502, "The phone system did not take the status change.", "pbx") from exc
    return web.json_response(asdict(value))


async def api_tryit(request: web.Request) -> web.StreamResponse:
    """How the try-it page calls the assistant (its own endpoint, plain ws:// locally)."""
    session = require_session(request)
    app = request.app[APP_KEY]
    settings = app.settings
    ext = settings.console.tryit_extension
    return web.json_response(
        {
            "csrf": session.csrf,
            "uri": f"sip:{ext}@{settings.console.sip_domain or _pbx_host(settings)}",
            "password": app.sip_password(ext),
            "ws_url": pbx_ws_url(settings),
            "target": settings.console.assistant_exten,
        }
    )


async def api_agents(request: web.Request) -> web.StreamResponse:
    """Agents with status, registration and calls (supervisors)."""
    session = require_supervisor(request)
    return web.json_response({"agents": await _agents(request.app[APP_KEY], session)})


async def _agents(app: ConsoleApp, session: ConsoleSession) -> list[dict[str, Any]]:
    accounts = app.accounts.by_extension(session.tenant_id)
    names = await app.directory.names(session.tenant_id, {a.user_id for a in accounts.values()})
    try:
        endpoints = await app.pbx.endpoint_states(accounts)
    except Exception:
        endpoints = {}
    rows = []
    for ext, acct in sorted(accounts.items()):
        status = app.status_of(session.tenant_id, ext)
        ep = endpoints.get(ext, {"registered": False, "calls": 0})
        rows.append(
            {
                "extension": ext,
                "name": names.get(acct.user_id, ext),
                **asdict(status),
                "registered": ep["registered"],
                "on_call": ep["calls"] > 0,
            }
        )
    return rows


async def api_dashboard(request: web.Request) -> web.StreamResponse:
    """Everything the dashboard draws (supervisors)."""
    session = require_supervisor(request)
    app = request.app[APP_KEY]
    stats = await app.directory.dashboard(session.tenant_id)
    agents = await _agents(app, session)
    departments = await app.directory.departments(session.tenant_id)
    try:
        live = [
            asdict(c)
            for c in await app.pbx.live_calls(
                [a["extension"] for a in agents], [d.queue for d in departments]
            )
        ]
        pbx_ok = True
    except Exception:
        live, pbx_ok = [], False
    return web.json_response(
        {
            "pbx_ok": pbx_ok,
            "live_calls": live,
            "queue_waits": {
                d.queue: sum(1 for c in live if c["waiting_in_queue"] == d.queue)
                for d in departments
            },
            "departments": [asdict(d) for d in departments],
            "agents": agents,
            **asdict(stats),
        }
    )


async def _safe(coro: Awaitable[Any]) -> None:
    try:
        await coro
    except Exception as exc:
        log.warning("console: %s", exc)


# -- the app -------------------------------------------------------------------------------
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
    app.router.add_get("/login/link/{token}", login_link)
    app.router.add_post("/api/login", api_login)
    app.router.add_post("/api/logout", api_logout)
    app.router.add_get("/api/me", api_me)
    app.router.add_get("/api/calls/{call_id}", api_call)
    app.router.add_get("/api/directory", api_directory)
    app.router.add_post("/api/status", api_status)
    app.router.add_get("/api/agents", api_agents)
    app.router.add_get("/api/tryit", api_tryit)
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
