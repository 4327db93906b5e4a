"""A TCP proxy on the loopback that injects network faults between the app and a real server
(Asterisk's HTTP/ARI port, PostgreSQL): cut connections, refuse new ones, or hang (accept and
forward nothing, like a server that stopped answering).

``only`` limits the faults to connections whose first bytes start with a prefix (for example
``b"GET /ari/events"``: the ARI events websocket, not the media websockets or REST calls).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field


@dataclass
class _Link:
    client: asyncio.StreamWriter
    server: asyncio.StreamWriter | None = None
    head: bytes = b""
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        for writer in (self.client, self.server):
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.transport.abort()


class FaultProxy:
    """Forwards ``127.0.0.1:<port>`` to ``target``; see the module docstring."""

    def __init__(self, target: tuple[str, int], *, only: bytes = b"") -> None:
        self.target = target
        self.only = only
        self.port = 0
        self.refusing = False
        self.hanging = False
        self.links: list[_Link] = []
        self.accepted = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> FaultProxy:
        """Listen on a free loopback port."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def close(self) -> None:
        """Stop listening and cut every connection."""
        if self._server is not None:
            self._server.close()
        for link in list(self.links):
            link.close()
        self.links.clear()

    def _hit(self, link: _Link) -> bool:
        return not self.only or link.head.startswith(self.only)

    def sever(self) -> int:
        """Cut the matching connections now (both sides see a reset); how many."""
        doomed = [link for link in self.links if self._hit(link)]
        for link in doomed:
            link.close()
            self.links.remove(link)
        return len(doomed)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        link = _Link(writer)
        try:
            link.head = await asyncio.wait_for(reader.read(65536), 5) if self.only else b""
        except (TimeoutError, OSError):
            writer.transport.abort()
            return
        if self.refusing and self._hit(link):
            writer.transport.abort()
            return
        self.links.append(link)
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            link.close()
            return
        link.server = server_writer
        if link.head:
            server_writer.write(link.head)
        link.tasks = [
            asyncio.create_task(self._pump(reader, server_writer, link)),
            asyncio.create_task(self._pump(server_reader, writer, link)),
        ]

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: _Link
    ) -> None:
        try:
            while data := await reader.read(65536):
                while self.hanging and self._hit(link):  # a hung server: bytes go nowhere
                    await asyncio.sleep(0.05)
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            link.close()
            if link in self.links:
                self.links.remove(link)
