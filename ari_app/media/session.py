"""The media session interface calls use, whichever transport carries the audio."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from ari_app.media.websocket import MediaItem


class MediaSession(Protocol):
    """Audio in and out of one call (chan_websocket, or RTP as the fallback)."""

    xoff: asyncio.Event
    frames_in: int

    def items(self) -> AsyncIterator[MediaItem]:
        """Audio frames (16 kHz s16le) and control events until the session ends."""
        ...

    async def send_audio(self, data: bytes) -> None:
        """Queue 16 kHz s16le audio for the caller."""

    async def send_command(self, name: str, **params: object) -> None:
        """FLUSH_MEDIA, PAUSE_MEDIA, CONTINUE_MEDIA, MARK_MEDIA, ..."""

    async def close(self) -> None:
        """End the session."""


@dataclass
class MediaChoice:
    """Which transport new calls use (decided once Asterisk's abilities are known)."""

    transport: str = "websocket"
    """``websocket`` (chan_websocket, slin16) or ``rtp`` (μ-law externalMedia)."""
    rtp_bind_address: str = "127.0.0.1"
