"""The foundation call: answer, play a prompt, echo the caller's audio, record DTMF.

Later issues replace the echo with the conversation; the shape stays: one :class:`EchoCall`
per inbound channel, owning its tasks, torn down on hang-up with nothing left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field

from ari_app.ari.events import (
    AriEvent,
    Channel,
    ChannelDestroyed,
    ChannelDtmfReceived,
    ChannelHangupRequest,
    PlaybackFinished,
    StasisEnd,
    StasisStart,
)
from ari_app.ari.rest import AriHttpError, AriRest, ignore_missing
from ari_app.call.media_leg import MediaLeg
from ari_app.media.websocket import AudioFrame, MediaSessionError, MediaWebSocket

log = logging.getLogger(__name__)

MAX_KEPT_AUDIO_BYTES = 32_000 * 60
"""Keep at most one minute of received slin16 audio per call (for tests and diagnostics)."""


@dataclass
class CallStats:
    """What one call did, kept after it ends (tests and benchmarks read it)."""

    channel_id: str
    caller: str
    args: tuple[str, ...]
    started: float
    media_ready_s: float | None = None
    ended_s: float | None = None
    outcome: str = "in progress"
    dtmf: list[str] = field(default_factory=list)
    playbacks: list[str] = field(default_factory=list)
    frames_in: int = 0
    frames_gap_lost: int = 0
    frame_bytes: int = 0
    audio_in: bytearray = field(default_factory=bytearray)


class EchoCall:
    """One inbound call of the foundation app."""

    def __init__(
        self,
        rest: AriRest,
        channel: Channel,
        args: tuple[str, ...],
        *,
        app: str,
        ari_url: str,
        greeting: str,
    ) -> None:
        self.rest = rest
        self.channel = channel
        self.app = app
        self.ari_url = ari_url
        self.greeting = greeting
        self.events: asyncio.Queue[AriEvent] = asyncio.Queue()
        self.media_channel_id = f"{channel.id}-media"
        self.leg = MediaLeg()
        self.caller_gone = asyncio.Event()
        self.media_in_stasis = asyncio.Event()
        self.stats = CallStats(channel.id, channel.caller.number, args, time.monotonic())

    def owns(self, channel_id: str) -> bool:
        """True for the caller's channel and this call's media channel."""
        return channel_id in (self.channel.id, self.media_channel_id)

    async def run(self) -> CallStats:
        """Serve the call until the caller hangs up; always clean up.

        Set-up requests are never cancelled half-way (a cancelled POST can still create a
        bridge we would not know about): a hang-up during set-up makes the next request
        fail (404/422) instead, and only the media loop is interrupted by the hang-up.
        """
        watcher = asyncio.create_task(self._watch_events())
        try:
            await self._serve()
        except AriHttpError as exc:
            self.stats.outcome = "abandoned" if self.caller_gone.is_set() else "error"
            log.info("call %s ended during set-up: %s", self.channel.id, exc)
        except (MediaSessionError, TimeoutError) as exc:
            self.stats.outcome = "abandoned" if self.caller_gone.is_set() else "error"
            log.warning("call %s media failed: %r", self.channel.id, exc)
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
            await self._cleanup()
        return self.stats

    async def _serve(self) -> None:
        await self.rest.answer(self.channel.id)
        socket = await self.leg.open(
            self.rest,
            self.ari_url,
            self.app,
            self.channel.id,
            self.media_channel_id,
            self.media_in_stasis,
        )
        self.stats.media_ready_s = time.monotonic() - self.stats.started
        await self.rest.play(f"channels/{self.channel.id}", self.greeting)
        echo = asyncio.create_task(self._echo(socket))
        gone = asyncio.create_task(self.caller_gone.wait())
        try:
            await asyncio.wait({echo, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (echo, gone):
                task.cancel()
            await asyncio.gather(echo, gone, return_exceptions=True)
        self.stats.outcome = "completed"

    async def _echo(self, socket: MediaWebSocket) -> None:
        last: float | None = None
        frame_s = 0.02
        async for item in socket.items():
            if isinstance(item, AudioFrame):
                now = time.monotonic()
                if last is not None and now - last > frame_s * 2.5:
                    self.stats.frames_gap_lost += round((now - last) / frame_s) - 1
                last = now
                self.stats.frames_in += 1
                self.stats.frame_bytes = len(item.data)
                if len(self.stats.audio_in) < MAX_KEPT_AUDIO_BYTES:
                    self.stats.audio_in += item.data
                await socket.send_audio(item.data)
            elif item.event == "MEDIA_START" and item.ptime_ms:
                frame_s = item.ptime_ms / 1000

    async def _watch_events(self) -> None:
        while True:
            event = await self.events.get()
            if isinstance(event, StasisStart) and event.channel.id == self.media_channel_id:
                self.media_in_stasis.set()
            elif isinstance(event, PlaybackFinished):
                self.stats.playbacks.append(event.playback.media_uri)
            elif isinstance(event, ChannelDtmfReceived) and event.channel.id == self.channel.id:
                self.stats.dtmf.append(event.digit)
                log.info("call %s: DTMF %s", self.channel.id, event.digit)
            elif isinstance(event, ChannelHangupRequest | ChannelDestroyed | StasisEnd) and (
                event.channel.id == self.channel.id
            ):
                self.caller_gone.set()
                return

    async def _cleanup(self) -> None:
        self.stats.ended_s = time.monotonic() - self.stats.started
        with contextlib.suppress(Exception):
            await self.leg.close(self.rest)
        with contextlib.suppress(Exception):
            await ignore_missing(self.rest.hangup(self.channel.id))
