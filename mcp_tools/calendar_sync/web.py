"""The OAuth redirect handler, as aiohttp routes any app (or a future console) can mount."""

from __future__ import annotations

import html

from aiohttp import web

from mcp_tools.calendar_sync.service import CalendarConnections, ConnectError

CALLBACK_PATH = "/calendar/oauth/callback"
CONNECTIONS_KEY = web.AppKey("calendar_connections", CalendarConnections)


def _page(title: str, text: str, status: int = 200) -> web.Response:
    body = (
        f"<!doctype html><title>{html.escape(title)}</title>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
    )
    return web.Response(text=body, status=status, content_type="text/html")


async def oauth_callback(request: web.Request) -> web.Response:
    """Finish an authorization from Google's redirect (``?state=...&code=...``)."""
    connections = request.app[CONNECTIONS_KEY]
    if request.query.get("error"):
        return _page("Not connected", "Google access was not granted.", 400)
    state, code = request.query.get("state", ""), request.query.get("code", "")
    if not state or not code:
        return _page("Not connected", "The link is incomplete.", 400)
    try:
        await connections.finish(state, code)
    except ConnectError as exc:
        return _page("Not connected", str(exc), 400)
    return _page("Calendar connected", "You can close this window; sync starts shortly.")


def add_routes(app: web.Application, connections: CalendarConnections) -> None:
    """Mount the callback on ``app`` at :data:`CALLBACK_PATH`."""
    app[CONNECTIONS_KEY] = connections
    app.router.add_get(CALLBACK_PATH, oauth_callback)
