"""``switchboard calendar ...``: connect Google calendars, sync, and private iCalendar feeds."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import click

from switchboard.cli.common import AppContext, emit, json_option, pass_app

T = TypeVar("T")
tenant_option = click.option("--tenant", "slug", required=True, help="Tenant slug.")
user_option = click.option("--user", "number", required=True, help="User number.")


def _run(app: AppContext, job: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``job(calendar_app)``; known failures become one-line errors."""
    from mcp_tools.calendar_sync.app import CalendarApp
    from mcp_tools.calendar_sync.oauth import OAuthError
    from mcp_tools.calendar_sync.service import ConnectError
    from mcp_tools.errors import ToolFailure

    async def main() -> T:
        cal = CalendarApp.from_settings(app.settings)
        try:
            return await job(cal)
        finally:
            await cal.db.dispose()

    try:
        return asyncio.run(main())
    except ToolFailure as failure:
        raise click.ClickException(failure.message) from None
    except (ConnectError, OAuthError) as exc:
        raise click.ClickException(str(exc)) from None


async def _ids(cal: Any, slug: str, number: str) -> tuple[int, int]:
    tenant = await cal.tenant_id(slug)
    return tenant, await cal.user_id(tenant, number)


def _status_text(r: Mapping[str, Any]) -> str:
    lines = []
    for c in r["connections"]:
        error = f", last error: {c['last_error']}" if c["last_error"] else ""
        lines.append(
            f"{c['user']} ({c['user_number']}): {c['status']} ({c['calendar_id']}), last sync "
            f"{c['last_sync_at'] or 'never'}, {c['pending_pushes']} waiting to push, "
            f"{c['failures']} failures{error}"
        )
    return "\n".join(lines) or "No Google calendars connected."


@click.group()
def calendar() -> None:
    """Google Calendar sync and subscribable iCalendar feeds."""


@calendar.command()
@tenant_option
@user_option
@click.option(
    "--wait",
    is_flag=True,
    help="Serve the redirect URI here and wait until the browser comes back.",
)
@click.option("--timeout", type=float, default=600.0, help="Seconds to wait with --wait.")
@json_option
@pass_app
def connect(
    app: AppContext, slug: str, number: str, wait: bool, timeout: float, as_json: bool
) -> None:
    """Start connecting a user's Google calendar: prints the URL to open in a browser.

    After consenting, Google redirects to the callback: served by ``--wait`` (this command
    then finishes by itself), by ``serve-feeds``, or by the console. Otherwise paste the
    address you were sent to into ``switchboard calendar finish``.
    """

    async def job(cal: Any) -> dict[str, Any]:
        tenant, user = await _ids(cal, slug, number)
        started = await cal.connections.start(tenant, user)
        result = {
            "url": started.url,
            "state": started.state,
            "redirect_uri": cal.settings.calendar.redirect_uri,
        }
        if not wait:
            return result
        click.echo(f"Open this address and allow access:\n{started.url}", err=as_json)
        result["connection"] = await _wait_for_callback(cal, tenant, user, timeout)
        return result

    def text(r: Mapping[str, Any]) -> str:
        if "connection" in r:
            return f"Connected ({r['connection']['calendar_id']})."
        return f"Open this address and allow access:\n{r['url']}"

    emit(_run(app, job), as_json, text)


async def _wait_for_callback(cal: Any, tenant: int, user: int, limit_s: float) -> dict[str, Any]:
    """Serve the callback on the redirect URI's host and port until the user is connected."""
    from aiohttp import web

    from mcp_tools.calendar_sync import web as callback_web

    redirect = urlsplit(cal.settings.calendar.redirect_uri)
    app = web.Application()
    callback_web.add_routes(app, cal.connections)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, redirect.hostname, redirect.port or 80).start()
    try:
        async with asyncio.timeout(limit_s):
            while True:  # the callback runs in this loop; poll what it writes
                if not await cal.connections.awaiting_callback(tenant, user):
                    break
                await asyncio.sleep(0.2)
        (status,) = await cal.connections.status(tenant, user)
        if status["status"] != "connected":
            raise click.ClickException("Google access was not granted.")
        return dict(status)
    except TimeoutError:
        raise click.ClickException("Nobody came back from Google in time.") from None
    finally:
        await runner.cleanup()


@calendar.command()
@click.argument("redirected")
@click.option("--state", default=None, help="State, when REDIRECTED is only the code.")
@json_option
@pass_app
def finish(app: AppContext, redirected: str, state: str | None, as_json: bool) -> None:
    """Finish connecting with the address Google redirected to (or a code plus --state)."""
    query = parse_qs(urlsplit(redirected).query) if "?" in redirected else {}
    code = query.get("code", [redirected])[0]
    state = state or query.get("state", [""])[0]
    if not state:
        raise click.UsageError("Give the whole redirected address, or the code with --state.")
    result = _run(app, lambda cal: cal.connections.finish(state, code))
    emit(result, as_json, lambda r: f"Connected: user {r['user_id']} ({r['calendar_id']}).")


@calendar.command()
@tenant_option
@user_option
@json_option
@pass_app
def disconnect(app: AppContext, slug: str, number: str, as_json: bool) -> None:
    """Revoke Google access for a user and forget their tokens and imported events."""

    async def job(cal: Any) -> dict[str, Any]:
        tenant, user = await _ids(cal, slug, number)
        result: dict[str, Any] = await cal.connections.disconnect(tenant, user)
        return result

    emit(
        _run(app, job),
        as_json,
        lambda r: f"Disconnected (revoked at Google: {r['revoked_at_google']}).",
    )


@calendar.command()
@tenant_option
@click.option("--user", "number", default=None, help="User number (default: everyone).")
@json_option
@pass_app
def status(app: AppContext, slug: str, number: str | None, as_json: bool) -> None:
    """Show connections: status, last sync, last error, changes waiting to be pushed."""

    async def job(cal: Any) -> dict[str, Any]:
        tenant = await cal.tenant_id(slug)
        user = await cal.user_id(tenant, number) if number else None
        return {"connections": await cal.connections.status(tenant, user)}

    emit(_run(app, job), as_json, _status_text)


@calendar.command()
@tenant_option
@user_option
@click.argument("calendar_id", required=False)
@json_option
@pass_app
def choose(app: AppContext, slug: str, number: str, calendar_id: str | None, as_json: bool) -> None:
    """List a user's Google calendars, or sync with CALENDAR_ID from now on."""

    async def job(cal: Any) -> dict[str, Any]:
        tenant, user = await _ids(cal, slug, number)
        if calendar_id is None:
            return {"calendars": await cal.connections.calendars(tenant, user)}
        return {"chosen": await cal.connections.choose(tenant, user, calendar_id)}

    def text(r: Mapping[str, Any]) -> str:
        if "chosen" in r:
            return f"Now syncing with {r['chosen']['calendar_id']}."
        return "\n".join(
            f"{c['id']}: {c['summary']}{' (primary)' if c['primary'] else ''}"
            for c in r["calendars"]
        )

    emit(_run(app, job), as_json, text)


def _errors(errors: list[str]) -> str:
    return f", errors: {'; '.join(errors)}" if errors else ""


@calendar.command()
@json_option
@pass_app
def sync(app: AppContext, as_json: bool) -> None:
    """Run one sync round now for every connection that is due or has changes waiting."""

    async def job(cal: Any) -> dict[str, Any]:
        return {"rounds": await cal.sync.run_once()}

    def text(r: Mapping[str, Any]) -> str:
        return (
            "\n".join(
                f"connection {x['connection_id']}: pulled {x['pulled']}, imported {x['imported']}, "
                f"updated {x['updated']}, deleted {x['deleted']}, pushed {x['pushed']}, "
                f"conflicts {x['conflicts']}{_errors(x['errors'])}"
                for x in r["rounds"]
            )
            or "Nothing to sync."
        )

    emit(_run(app, job), as_json, text)


async def _until_signal() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


@calendar.command()
@pass_app
def worker(app: AppContext) -> None:
    """Run the background sync until interrupted (pull every sync_interval_s, push at once)."""

    async def job(cal: Any) -> None:
        click.echo(f"calendar worker running (every {cal.settings.calendar.outbox_poll_s}s)")
        await cal.sync.run(await _until_signal())

    _run(app, job)


@calendar.command("serve-feeds")
@click.option("--host", default=None, help="Listen address (default from settings).")
@click.option("--port", type=int, default=None, help="Port (default from settings).")
@click.option("--with-worker", is_flag=True, help="Also run the sync worker in this process.")
@pass_app
def serve_feeds(app: AppContext, host: str | None, port: int | None, with_worker: bool) -> None:
    """Serve the .ics feeds and the OAuth callback until interrupted."""
    from aiohttp import web

    async def job(cal: Any) -> None:
        cfg = cal.settings.calendar
        runner = web.AppRunner(cal.web_app(with_worker=with_worker), access_log=None)
        await runner.setup()
        bind_host, bind_port = host or cfg.feeds_host, port or cfg.feeds_port
        await web.TCPSite(runner, bind_host, bind_port).start()
        click.echo(f"feeds at http://{bind_host}:{bind_port}/feeds/<token>.ics")
        try:
            await (await _until_signal()).wait()
        finally:
            await runner.cleanup()

    _run(app, job)


from switchboard.cli import calendar_feeds  # noqa: E402  (registers `calendar feed ...`)

calendar.add_command(calendar_feeds.feed)
