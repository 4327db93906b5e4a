"""``switchboard db ...``: migrate the team database."""

from __future__ import annotations

import asyncio
from typing import Any

import click

from switchboard.cli.common import AppContext, emit, json_option, pass_app


@click.group()
def db() -> None:
    """Manage the team database (SQLite by default, PostgreSQL when configured)."""


async def _upgrade(app: AppContext, revision: str) -> dict[str, Any]:
    from mcp_tools.db import migrate
    from mcp_tools.db.session import Database

    database = Database.from_settings(app.settings)
    try:
        before = await migrate.current_revision(database)
        after = await migrate.upgrade(database, revision)
        return {"url": _safe(database.url), "from": before, "to": after}
    finally:
        await database.dispose()


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@db.command()
@click.argument("revision", default="head")
@json_option
@pass_app
def upgrade(app: AppContext, revision: str, as_json: bool) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    result = asyncio.run(_upgrade(app, revision))
    emit(result, as_json, lambda r: f"{r['url']}: {r['from'] or 'empty'} -> {r['to']}")


async def _current(app: AppContext) -> dict[str, Any]:
    from mcp_tools.db import migrate
    from mcp_tools.db.session import Database

    database = Database.from_settings(app.settings)
    try:
        current = await migrate.current_revision(database)
        head = migrate.head_revision()
        return {
            "url": _safe(database.url),
            "current": current,
            "head": head,
            "up_to_date": current == head,
        }
    finally:
        await database.dispose()


@db.command()
@json_option
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Show the database's revision and whether it is up to date."""
    result = asyncio.run(_current(app))
    emit(result, as_json, lambda r: f"{r['url']}: at {r['current']}, newest {r['head']}")
