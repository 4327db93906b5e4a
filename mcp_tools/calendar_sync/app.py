"""Wiring from settings for the calendar side: services, the worker, and the web app that
serves feeds and the OAuth callback (``switchboard calendar serve-feeds``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy import func, select

from mcp_tools.calendar_sync import web as callback_web
from mcp_tools.calendar_sync.service import CalendarConnections
from mcp_tools.calendar_sync.vault import Vault, vault_from_settings
from mcp_tools.calendar_sync.worker import CalendarSync
from mcp_tools.db.models import Team, User
from mcp_tools.db.session import Database
from mcp_tools.errors import NotFound
from mcp_tools.feeds import web as feeds_web
from mcp_tools.feeds.tokens import FeedTokens
from mcp_tools.services.admin import Provisioning
from switchboard.settings import Settings


@dataclass
class CalendarApp:
    """Everything the calendar side offers, built from one settings object."""

    settings: Settings
    db: Database
    vault: Vault
    connections: CalendarConnections
    sync: CalendarSync
    feeds: FeedTokens

    @classmethod
    def from_settings(cls, settings: Settings, db: Database | None = None) -> CalendarApp:
        """Build from settings (creates the token key file on first use)."""
        database = db or Database.from_settings(settings)
        vault = vault_from_settings(settings)
        cfg = settings.calendar
        return cls(
            settings,
            database,
            vault,
            CalendarConnections(database, cfg, vault),
            CalendarSync(database, cfg, vault),
            FeedTokens(database),
        )

    def web_app(self, *, with_worker: bool = False) -> web.Application:
        """Feeds plus the OAuth callback, with uniform 404s (and the sync worker as a
        background task of the app when ``with_worker``)."""
        app = web.Application(middlewares=[feeds_web.uniform_404])
        feeds_web.add_routes(app, self.db)
        callback_web.add_routes(app, self.connections)
        if with_worker:
            app.cleanup_ctx.append(self.worker_ctx)
        return app

    async def worker_ctx(self, app: web.Application) -> AsyncIterator[None]:
        """aiohttp ``cleanup_ctx``: run :meth:`CalendarSync.run` for the app's lifetime."""
        stop = asyncio.Event()
        task = asyncio.create_task(self.sync.run(stop))
        yield
        stop.set()
        await task

    def feed_url(self, token: str) -> str:
        """The subscribable URL of a feed token."""
        cfg = self.settings.calendar
        base = cfg.feeds_base_url.rstrip("/") or f"http://{cfg.feeds_host}:{cfg.feeds_port}"
        return f"{base}/feeds/{token}.ics"

    async def tenant_id(self, slug: str) -> int:
        """A tenant's id from its slug."""
        return await Provisioning(self.db).tenant_by_slug(slug)

    async def user_id(self, tenant_id: int, number: str) -> int:
        """A user's id from their user number."""
        async with self.db.scoped(tenant_id) as session:
            row = (await session.execute(select(User.id).where(User.user_number == number))).first()
        if row is None:
            raise NotFound(f"There is no user number {number}.")
        return int(row[0])

    async def team_id(self, tenant_id: int, name: str) -> int:
        """A team's id from its name (case-insensitive)."""
        async with self.db.scoped(tenant_id) as session:
            query = select(Team.id).where(func.lower(Team.name) == name.strip().lower())
            row = (await session.execute(query)).first()
        if row is None:
            raise NotFound(f"There is no team {name}.")
        return int(row[0])
