"""Wiring from settings: database, token service, tool server, and running it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import uvicorn

from mcp_tools.db.session import Database
from mcp_tools.server import SwitchboardMCP, build_server
from mcp_tools.services.auth import AuthService
from mcp_tools.services.callbacks import CallbackRequests
from mcp_tools.services.calls import CallRecords
from mcp_tools.services.reminders import ReminderFeed
from mcp_tools.tokens import TokenService, token_service
from switchboard.settings import Settings


@dataclass
class ToolsApp:
    """Everything the data side offers, built from one settings object."""

    db: Database
    tokens: TokenService
    auth: AuthService
    calls: CallRecords
    reminders: ReminderFeed
    callbacks: CallbackRequests

    @classmethod
    def from_settings(cls, settings: Settings) -> ToolsApp:
        """Build from settings (no I/O until used)."""
        db = Database.from_settings(settings)
        tokens = token_service(settings)
        auth = AuthService(db, settings.tools, tokens)
        return cls(db, tokens, auth, CallRecords(db), ReminderFeed(db), CallbackRequests(db))

    def server(
        self, host: str = "127.0.0.1", port: int = 8765, stdio_token: str | None = None
    ) -> SwitchboardMCP:
        """The MCP tool server over this app's database and tokens."""
        return build_server(self.db, self.tokens, host=host, port=port, stdio_token=stdio_token)


class ToolServerError(RuntimeError):
    """The tool server could not start or stopped; the message says where."""


class HttpToolServer:
    """The tool server on a TCP port (streamable HTTP at ``/mcp``) inside the current loop."""

    def __init__(self, server: SwitchboardMCP, host: str, port: int) -> None:
        config = uvicorn.Config(
            server.streamable_http_app(),
            host=host,
            port=port,
            log_level="warning",
            lifespan="on",
            access_log=False,
        )
        self._uvicorn = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None
        self.url = f"http://{host}:{port}/mcp"

    async def start(self) -> None:
        """Start serving; returns once the port accepts connections. A port it cannot take
        (or any start-up failure) raises :class:`ToolServerError` saying so."""
        self._task = asyncio.create_task(self._serve())
        while not self._uvicorn.started:
            if self._task.done():
                self._task.result()
                raise ToolServerError(f"the tool server on {self.url} stopped during start-up")
            await asyncio.sleep(0.01)

    async def _serve(self) -> None:
        try:
            await self._uvicorn.serve()
        except SystemExit:  # uvicorn exits the process when it cannot bind: not in our loop
            raise ToolServerError(
                f"the tool server could not start on {self.url} (is the port taken?)"
            ) from None

    @property
    def task(self) -> asyncio.Task[None]:
        """The task serving requests (it ends if the server dies)."""
        if self._task is None:
            raise ToolServerError("the tool server was not started")
        return self._task

    async def stop(self) -> None:
        """Stop serving and wait for the server task."""
        self._uvicorn.should_exit = True
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, ToolServerError):
                await self._task
        for listener in getattr(self._uvicorn, "servers", []):  # a task that died holds them
            listener.close()

    async def wait(self) -> None:
        """Serve until stopped (Ctrl-C)."""
        if self._task is not None:
            await self._task


@contextlib.asynccontextmanager
async def running_http(server: SwitchboardMCP, host: str, port: int) -> AsyncIterator[str]:
    """Serve ``server`` for the duration of the block; yields the endpoint URL."""
    http = HttpToolServer(server, host, port)
    await http.start()
    try:
        yield http.url
    finally:
        await http.stop()
