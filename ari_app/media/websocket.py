"""One chan_websocket media session: the app connects to Asterisk's ``/media/<id>``.

Binary frames are audio in the call's format (slin16 little-endian here); text frames are
control events (see :mod:`ari_app.media.control`). Never shared with the ARI events socket.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp

from ari_app.media.control import MediaControlEvent, command, control_format, parse_control

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AudioFrame:
    """Audio received from Asterisk."""

    data: bytes


MediaItem = AudioFrame | MediaControlEvent


class MediaSessionError(RuntimeError):
    """The media websocket could not be opened or broke."""


class MediaWebSocket:
    """A connected media session for one externalMedia channel."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, session: aiohttp.ClientSession):
        self._ws = ws
        self._session = session
        self.xoff = asyncio.Event()
        self.frames_in = 0
        self.bytes_out = 0
        self.control_format = "json"
        """Asterisk's control format, learnt from its first message (MEDIA_START)."""

    @classmethod
    async def connect(
        cls, base_url: str, connection_id: str, *, timeout_s: float = 5.0
    ) -> MediaWebSocket:
        """Open ``ws://<asterisk>/media/<connection_id>`` with subprotocol ``media``."""
        ws_base = base_url.rstrip("/").replace("http://", "ws://").replace("https://", "wss://")
        session = aiohttp.ClientSession()
        try:
            ws = await session.ws_connect(
                f"{ws_base}/media/{connection_id}",
                protocols=("media",),
                timeout=aiohttp.ClientWSTimeout(ws_close=1.0),
                heartbeat=None,
                autoping=True,
            )
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            await session.close()
            raise MediaSessionError(f"media websocket {connection_id}: {exc}") from exc
        return cls(ws, session)

    async def items(self) -> AsyncIterator[MediaItem]:
        """Audio frames and control events until the socket closes."""
        async for msg in self._ws:
            if msg.type == aiohttp.WSMsgType.BINARY:
                self.frames_in += 1
                yield AudioFrame(msg.data)
            elif msg.type == aiohttp.WSMsgType.TEXT:
                self.control_format = control_format(msg.data)
                try:
                    event = parse_control(msg.data)
                except ValueError as exc:
                    log.warning("skipping bad media control message: %s", exc)
                    continue
                if event.event == "MEDIA_XOFF":
                    self.xoff.set()
                elif event.event == "MEDIA_XON":
                    self.xoff.clear()
                yield event
            elif msg.type in (aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE):
                break

    async def send_audio(self, data: bytes) -> None:
        """Queue audio for the caller (Asterisk re-frames and paces it)."""
        await self._ws.send_bytes(data)
        self.bytes_out += len(data)

    async def send_command(self, name: str, **params: object) -> None:
        """Send a control command (FLUSH_MEDIA, MARK_MEDIA, GET_STATUS, HANGUP, ...)."""
        await self._ws.send_str(command(name, self.control_format, **params))

    async def flush(self) -> None:
        """Drop audio Asterisk has queued but not yet played (barge-in)."""
        await self.send_command("FLUSH_MEDIA")

    @property
    def closed(self) -> bool:
        """True once the socket is closed."""
        return self._ws.closed

    async def close(self) -> None:
        """Close the socket and its HTTP session."""
        try:
            await self._ws.close()
        finally:
            await self._session.close()
