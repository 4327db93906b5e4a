"""The console's request handlers: pages, one-time links, sign-in and the JSON API.

Routes are registered by :func:`webrtc_console.web.create_app`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import asdict
from typing import Any

from aiohttp import web

from webrtc_console.accounts import AccountError
from webrtc_console.pbx import STATUSES
from webrtc_console.sessions import COOKIE_NAME, ConsoleSession
from webrtc_console.web import (
    APP_KEY,
    PAGES,
    SIGNED_OUT_PAGES,
    STATIC_DIR,
    SUPERVISOR_PAGES,
    ConsoleApp,
    _json_error,
    _pbx_host,
    live_session,
    pbx_ws_url,
    pbx_wss_url,
    require_session,
    require_supervisor,
    safe_next,
)

log = logging.getLogger(__name__)


async def page(request: web.Request) -> web.StreamResponse:
    """Serve a page; signed-out visitors go to the sign-in page."""
    path = request.path.rstrip("/") or "/console"
    session = await live_session(request)
    if path == "/":
        raise web.HTTPFound("/console" if session else "/login")
    if path not in SIGNED_OUT_PAGES and session is None:
        raise web.HTTPFound(f"/login?next={path}")
    if path in SUPERVISOR_PAGES and session is not None and not session.supervisor:
        raise web.HTTPFound("/console")
    if path == "/tryit" and session is not None and not _may_try(request.app[APP_KEY], session):
        raise web.HTTPFound("/console")
    return web.FileResponse(STATIC_DIR / PAGES[path])


def _may_try(app: ConsoleApp, session: ConsoleSession) -> bool:
    return session.role in app.settings.console.tryit_roles


async def api_login_link(request: web.Request) -> web.StreamResponse:
    """Sign in with a one-time link's token (posted by the link page: a GET never consumes
    a link, so mail scanners that open links cannot spend it). Valid once, then gone."""
    app = request.app[APP_KEY]
    try:
        body = await request.json()
        token = str(body["token"])[:200]
    except (ValueError, KeyError, TypeError) as exc:
        raise _json_error(400, "This sign-in link is incomplete.", "input") from exc
    ip_key = request.remote or "?"
    if app.ip_throttle.retry_after(ip_key) > 0:
        raise _json_error(429, "Too many failed sign-ins. Try again later.", "throttled")
    try:
        tenant_id, user_id = await asyncio.to_thread(app.accounts.consume_link, token)
    except AccountError as exc:
        app.ip_throttle.failed(ip_key)
        raise _json_error(401, str(exc), "link") from exc
    person = await app.directory.person_by_id(tenant_id, user_id)
    if person is None or not person.active:
        raise _json_error(401, "This account is not active.", "inactive")
    await app.audit(
        person.tenant_id,
        person.user_id,
        person.role,
        person.name,
        "console.sign_in",
        detail={"method": "link"},
    )
    session = await app.start_session(person)
    response = web.json_response({"ok": True, "csrf": session.csrf, "next": "/console"})
    _set_cookie(app, response, session)
    return response


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
        wanted = safe_next(str(body.get("next") or ""))
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
    response = web.json_response({"ok": True, "csrf": session.csrf, "next": wanted})
    _set_cookie(app, response, session)
    return response


async def api_logout(request: web.Request) -> web.StreamResponse:
    """Sign out (ends the session; the browser should unregister first)."""
    session = await require_session(request, write=True)
    app = request.app[APP_KEY]
    if session.extension:
        await _safe(app.set_status(session, "offline", ""))
    app.sessions.end(session.token)
    response = web.json_response({"ok": True})
    response.del_cookie(COOKIE_NAME, path="/")
    return response


async def api_me(request: web.Request) -> web.StreamResponse:
    """Who is signed in, their departments and how their browser reaches the PBX."""
    session = await require_session(request)
    app = request.app[APP_KEY]
    settings = app.settings
    departments = await app.directory.agent_departments(
        session.tenant_id, session.user_id, session.role
    )
    sip: dict[str, Any] | None = None
    if app.takes_calls(session):  # the password itself only from POST /api/sip
        sip = {
            "extension": session.extension,
            "uri": f"sip:{session.extension}@{settings.console.sip_domain or _pbx_host(settings)}",
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


async def api_sip(request: web.Request) -> web.StreamResponse:
    """The SIP password of the signed-in agent's own extension, for their phone to register
    with: only for roles that take calls, never for someone else's extension or the try-it
    endpoint, never in ``/api/me`` (which the page polls)."""
    session = await require_session(request, write=True)
    app = request.app[APP_KEY]
    if not app.takes_calls(session):
        raise _json_error(403, "Your account does not take calls.", "forbidden")
    password = app.sip_password(session.extension)
    if password is None:
        raise _json_error(
            404, f"No SIP password is configured for extension {session.extension}.", "no_secret"
        )
    return web.json_response({"extension": session.extension, "password": password})


async def api_transfer(request: web.Request) -> web.StreamResponse:
    """Check (and audit) a blind transfer before the phone sends its REFER: the target must
    be another agent of the tenant, one of its department queues, or the assistant. The
    PBX's agent context refuses anything else too (the browser is not trusted)."""
    session = await require_session(request, write=True)
    app = request.app[APP_KEY]
    try:
        target = str((await request.json())["target"]).strip()[:20]
    except (ValueError, KeyError, TypeError) as exc:
        raise _json_error(400, "Give a transfer target.", "input") from exc
    if not app.takes_calls(session):
        raise _json_error(403, "Your account does not take calls.", "forbidden")
    kind = await _transfer_kind(app, session, target)
    outcome = "ok" if kind else "refused"
    await app.audit(
        session.tenant_id,
        session.user_id,
        session.role,
        session.name,
        "console.transfer",
        outcome=outcome,
        detail={"from": session.extension, "target": target, "kind": kind or "unknown"},
    )
    if not kind:
        raise _json_error(
            403,
            f'No agent, queue or assistant answers at "{target}". The call is still yours.',
            "target",
        )
    return web.json_response({"ok": True, "target": target, "kind": kind})


async def _transfer_kind(app: ConsoleApp, session: ConsoleSession, target: str) -> str:
    """What ``target`` is for this agent's tenant (empty: not a place a call may go)."""
    console = app.settings.console
    if not target.isdigit() or target in (session.extension, console.tryit_extension):
        return ""
    if target == console.assistant_exten:
        return "assistant"
    if target in {d.queue for d in await app.directory.departments(session.tenant_id)}:
        return "queue"
    if target in app.accounts.by_extension(session.tenant_id):
        return "agent"
    return ""


async def api_call(request: web.Request) -> web.StreamResponse:
    """The screen-pop of a handed-off call: only for agents of the department it was handed
    to (tenant admins: any), only for ``console.screen_pop_ttl_s`` after the hand-off. Any
    other call id answers 404, whether it exists or not."""
    session = await require_session(request)
    app = request.app[APP_KEY]
    pop = await app.directory.screen_pop(
        session.tenant_id,
        request.match_info["call_id"][:80],
        viewer=(session.user_id, session.role),
        ttl_s=app.settings.console.screen_pop_ttl_s,
    )
    if pop is None:
        raise _json_error(404, "No record of this call.", "not_found")
    return web.json_response(pop.as_dict())


async def api_directory(request: web.Request) -> web.StreamResponse:
    """Transfer targets: the tenant's agents, its department queues and the assistant."""
    session = await require_session(request)
    app = request.app[APP_KEY]
    accounts = app.accounts.by_extension(session.tenant_id)
    accounts.pop(app.settings.console.tryit_extension, None)
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
    session = await require_session(request, write=True)
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
    """How the try-it page calls the assistant: its own endpoint (whose PBX context reaches
    the assistant only), for the roles ``console.tryit_roles`` names."""
    session = await require_session(request, write=True)
    app = request.app[APP_KEY]
    if not _may_try(app, session):
        raise _json_error(403, "Your role cannot use the try-it page.", "forbidden")
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
    session = await require_supervisor(request)
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
    session = await require_supervisor(request)
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
