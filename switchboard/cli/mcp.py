"""``switchboard mcp serve``: run the tool server (streamable HTTP, or stdio)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import click

from switchboard.cli.common import AppContext, pass_app

if TYPE_CHECKING:
    from mcp_tools.app import ToolsApp


@click.group()
def mcp() -> None:
    """The MCP tool server."""


@mcp.command()
@click.option("--host", default=None, help="Listen address (default from settings).")
@click.option("--port", type=int, default=None, help="Port (default from settings).")
@click.option("--stdio", is_flag=True, help="Serve one client over stdin/stdout instead.")
@click.option(
    "--token",
    envvar="SWITCHBOARD_MCP_TOKEN",
    default=None,
    help="With --stdio: the tool token identifying the user (env SWITCHBOARD_MCP_TOKEN).",
)
@pass_app
def serve(
    app: AppContext, host: str | None, port: int | None, stdio: bool, token: str | None
) -> None:
    """Serve the 39 tools until interrupted."""
    from mcp_tools.app import HttpToolServer, ToolsApp

    tools = ToolsApp.from_settings(app.settings)
    asyncio.run(_require_schema(tools))
    host = host or app.settings.tools.host
    port = port or app.settings.tools.port
    if stdio:
        if not token:
            raise click.UsageError("--stdio needs --token (see `switchboard admin mint-token`).")
        tools.server(stdio_token=token).run("stdio")
        return

    async def main() -> None:
        http = HttpToolServer(tools.server(host, port), host, port)
        await http.start()
        click.echo(f"MCP tool server on {http.url}", err=True)
        try:
            await http.wait()
        finally:
            await tools.db.dispose()

    asyncio.run(main())


async def _require_schema(tools: ToolsApp) -> None:
    """Refuse to serve a database that is not migrated to this version's schema."""
    from mcp_tools.db import migrate

    try:
        current = await migrate.current_revision(tools.db)
    finally:
        await tools.db.dispose()
    if current != migrate.head_revision():
        raise click.ClickException(
            f"The database is at {current or 'no revision'}, not {migrate.head_revision()}; "
            "run `switchboard db upgrade` first."
        )
