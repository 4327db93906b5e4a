"""The feed endpoint, as aiohttp routes any app can mount (``GET /feeds/{token}.ics``).

A wrong, malformed or revoked token gets the very same 404 as a path that never existed, so
the answer leaks nothing about which tokens exist.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from mcp_tools.db.session import Database
from mcp_tools.feeds.ics import TodoStyle, build_feed
from mcp_tools.feeds.tokens import FeedTokens

FEED_PATH = "/feeds/{token}.ics"
DB_KEY = web.AppKey("feeds_db", Database)
NOT_FOUND = "404: Not Found"


def not_found() -> web.Response:
    """The one 404 every miss gets."""
    return web.Response(status=404, text=NOT_FOUND, content_type="text/plain")


async def feed(request: web.Request) -> web.Response:
    """Serve the feed a token opens."""
    db = request.app[DB_KEY]
    owner = await FeedTokens(db).resolve(request.match_info.get("token", ""))
    if owner is None:
        return not_found()
    style: TodoStyle = "events" if request.query.get("todos") == "events" else "vtodo"
    async with db.scoped(owner.tenant_id) as session:
        body = await build_feed(session, owner, style)
    return web.Response(
        body=body,
        content_type="text/calendar",
        charset="utf-8",
        headers={"Cache-Control": "private, max-age=300", "X-Robots-Tag": "noindex"},
    )


@web.middleware
async def uniform_404(
    request: web.Request,
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> web.StreamResponse:
    """Make the router's own 404s identical to a bad token's."""
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return not_found()


def add_routes(app: web.Application, db: Database) -> None:
    """Mount the feed route on ``app``."""
    app[DB_KEY] = db
    app.router.add_get(FEED_PATH, feed)


def feeds_app(db: Database) -> web.Application:
    """A standalone app serving only the feeds (``switchboard calendar serve-feeds``)."""
    app = web.Application(middlewares=[uniform_404])
    add_routes(app, db)
    return app
