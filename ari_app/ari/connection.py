"""The ARI events websocket: connect, parse, hand events on, reconnect with back-off.

Bad credentials are not retried: they raise :class:`AriAuthError` at once so the command can
say so in one line. Anything else that breaks the connection (Asterisk restarting, a dropped
socket, a request of ``on_connect`` that failed or timed out) is retried with exponential
back-off, and the owner is told through ``on_disconnect`` (calls carry on; the owner
reconciles them when ``on_connect`` runs again).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable

import aiohttp

from ari_app.ari.events import AriEvent, MalformedEvent, parse_event
from ari_app.ari.rest import AriAuthError, AriHttpError, basic_auth_header

log = logging.getLogger(__name__)

EventHandler = Callable[[AriEvent], Awaitable[None]]
Hook = Callable[[], Awaitable[None]]


class AriEventStream:
    """Receives one app's events for as long as :meth:`run` runs."""

    def __init__(
        self,
        base_url: str,
        app: str,
        user: str,
        password: str,
        *,
        connect_timeout_s: float = 5.0,
        reconnect_initial_s: float = 0.5,
        reconnect_max_s: float = 10.0,
    ) -> None:
        ws_base = base_url.rstrip("/").replace("http://", "ws://").replace("https://", "wss://")
        self.url = f"{ws_base}/ari/events"
        self.app = app
        self._headers = {"Authorization": basic_auth_header(user, password)}
        self._connect_timeout = connect_timeout_s
        self._initial = reconnect_initial_s
        self._max = reconnect_max_s
        self.connected = asyncio.Event()
        self.connections = 0
        self.malformed = 0
        self._ws: aiohttp.ClientWebSocketResponse | None = None

    async def run(
        self,
        handler: EventHandler,
        *,
        on_connect: Hook | None = None,
        on_disconnect: Hook | None = None,
    ) -> None:
        """Deliver events to ``handler`` forever, reconnecting as needed."""
        delay = self._initial
        timeout = aiohttp.ClientTimeout(
            total=None, connect=self._connect_timeout, sock_connect=self._connect_timeout
        )
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                try:
                    await self._session_once(session, handler, on_connect)
                    delay = self._initial
                    log.warning("ARI events websocket closed; reconnecting")
                except aiohttp.WSServerHandshakeError as exc:
                    if exc.status == 401:
                        raise AriAuthError(
                            401, "GET", "/ari/events", "bad user or password"
                        ) from exc
                    log.warning(
                        "ARI events websocket refused (%s); retrying in %.1f s", exc.status, delay
                    )
                except AriAuthError:
                    raise
                except AriHttpError as exc:  # a start-up request (asterisk info, ...) failed
                    log.warning(
                        "ARI request failed while connecting (%s); retrying in %.1f s", exc, delay
                    )
                except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                    log.warning(
                        "ARI unreachable at %s (%s); retrying in %.1f s", self.url, exc, delay
                    )
                if self.connected.is_set():
                    self.connected.clear()
                    if on_disconnect is not None:
                        await on_disconnect()
                await asyncio.sleep(delay * random.uniform(0.8, 1.2))
                delay = min(delay * 2, self._max)

    async def _session_once(
        self, session: aiohttp.ClientSession, handler: EventHandler, on_connect: Hook | None
    ) -> None:
        async with session.ws_connect(
            self.url,
            params={"app": self.app, "subscribeAll": "false"},
            headers=self._headers,
            heartbeat=15,
            timeout=aiohttp.ClientWSTimeout(ws_close=2.0),
            max_msg_size=16 * 1024 * 1024,
        ) as ws:
            self._ws = ws
            self.connections += 1
            self.connected.set()
            log.info("ARI events connected (app %s, connection %d)", self.app, self.connections)
            if on_connect is not None:
                await on_connect()
            async for msg in ws:
                if msg.type == aiohttp.WSMsgType.TEXT:
                    event = self._decode(msg.data)
                    if event is not None:
                        await handler(event)
                elif msg.type in (aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE):
                    break

    async def reconnect(self) -> None:
        """Close the current connection (:meth:`run` connects again, to :attr:`url`)."""
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()

    def _decode(self, text: str) -> AriEvent | None:
        try:
            return parse_event(json.loads(text))
        except (ValueError, MalformedEvent) as exc:
            self.malformed += 1
            log.warning("skipping malformed ARI event (%s): %.200s", exc, text)
            return None
