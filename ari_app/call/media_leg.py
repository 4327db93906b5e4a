"""Attach a chan_websocket externalMedia channel to a caller through a mixing bridge."""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from ari_app.ari.rest import AriRest, ignore_missing
from ari_app.media.rtp_session import RtpMediaSession
from ari_app.media.session import MediaChoice, MediaSession
from ari_app.media.websocket import MediaSessionError, MediaWebSocket

log = logging.getLogger(__name__)


@dataclass
class MediaLeg:
    """The bridge and externalMedia channel serving one caller, and the media socket."""

    bridge_id: str | None = None
    media_channel_id: str | None = None
    socket: MediaSession | None = None

    async def open(
        self,
        rest: AriRest,
        ari_url: str,
        app: str,
        caller_id: str,
        media_channel_id: str,
        media_in_stasis: asyncio.Event,
        timeout_s: float = 5.0,
        choice: MediaChoice | None = None,
    ) -> MediaSession:
        """Create the bridge, add the caller, create the media channel, connect its socket.

        The media channel enters the app (StasisStart) only once its socket is connected;
        ``media_in_stasis`` is set by the call when that event arrives, and only then can the
        channel join the bridge. Each resource id is stored as soon as it exists, so
        :meth:`close` can undo a half-finished set-up (the caller may hang up at any step).
        """
        self.bridge_id = f"{caller_id}-bridge"
        bridge = await rest.create_bridge(
            "mixing", name=f"call-{caller_id}", bridge_id=self.bridge_id
        )
        await rest.add_channel(bridge.id, caller_id)
        self.media_channel_id = media_channel_id
        choice = choice or MediaChoice()
        if choice.transport == "rtp":
            asterisk = await asterisk_address(ari_url)
            self.socket = await self._open_rtp(rest, app, media_channel_id, choice, asterisk)
        else:
            self.socket = await self._open_websocket(rest, ari_url, app, media_channel_id)
        async with asyncio.timeout(timeout_s):
            await media_in_stasis.wait()
        await rest.add_channel(bridge.id, media_channel_id)
        return self.socket

    @staticmethod
    async def _open_websocket(
        rest: AriRest, ari_url: str, app: str, channel_id: str
    ) -> MediaSession:
        channel = await rest.external_media(
            app=app,
            fmt="slin16",
            transport="websocket",
            encapsulation="none",
            connection_type="server",
            channel_id=channel_id,
        )
        connection_id = channel.channelvars.get("MEDIA_WEBSOCKET_CONNECTION_ID", "")
        if not connection_id:
            raise MediaSessionError("externalMedia gave no MEDIA_WEBSOCKET_CONNECTION_ID")
        return await MediaWebSocket.connect(ari_url, connection_id)

    @staticmethod
    async def _open_rtp(
        rest: AriRest, app: str, channel_id: str, choice: MediaChoice, asterisk: str | None
    ) -> MediaSession:
        session = await RtpMediaSession.open(choice.rtp_bind_address, expected_host=asterisk)
        try:
            host, port = session.local_address
            channel = await rest.external_media(
                app=app,
                fmt="ulaw",
                transport="udp",
                encapsulation="rtp",
                external_host=f"{host}:{port}",
                channel_id=channel_id,
            )
            address = channel.channelvars.get("UNICASTRTP_LOCAL_ADDRESS", "")
            rtp_port = channel.channelvars.get("UNICASTRTP_LOCAL_PORT", "")
            if not address or not rtp_port.isdigit():
                raise MediaSessionError("externalMedia gave no UNICASTRTP_LOCAL_ADDRESS/PORT")
            session.connect(address, int(rtp_port))
        except BaseException:
            await session.close()
            raise
        return session

    async def close(self, rest: AriRest) -> None:
        """Close the socket, hang up the media channel, destroy the bridge (404 is fine)."""
        if self.socket is not None:
            await self.socket.close()
        if self.media_channel_id is not None:
            await ignore_missing(rest.hangup(self.media_channel_id))
        if self.bridge_id is not None:
            await ignore_missing(rest.destroy_bridge(self.bridge_id))


async def asterisk_address(ari_url: str) -> str | None:
    """Asterisk's IP address (from the ARI URL's host): the only source of a call's RTP."""
    host = urlsplit(ari_url).hostname
    if not host:
        return None
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_DGRAM)
    except OSError:
        return None
    return str(infos[0][4][0]) if infos else None
