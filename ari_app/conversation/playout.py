"""The assistant's voice on the wire: paced sending over chan_websocket, pause, flush, marks.

Theory of operation. The outbound stream is continuous: between replies a filler sends
silence just in time (at most ``filler_lead_ms`` queued), so the caller receives audio
without gaps (RTP keeps flowing, and recordings keep real time). Replies are sent at
real-time pace with a larger lead (``lead_ms``), so a barge-in flush drops little and how much
the caller heard follows from the clock: the stream position played so far is the elapsed
playing time since the stream (re)started. Each reply occupies an interval of the stream;
the part of that interval already played is what was heard.

``MARK_MEDIA`` after each chunk and Asterisk's ``MEDIA_MARK_PROCESSED`` confirm chunk ends;
``PAUSE_MEDIA``/``CONTINUE_MEDIA`` hold the queue while a barge-in is only suspected;
``FLUSH_MEDIA`` drops it when confirmed. ``MEDIA_XOFF``/``MEDIA_XON`` (the sink's ``xoff``
event) stop and restart sending.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from ari_app.media.control import MediaControlEvent
from ari_app.speech.heard import HeardTracker


class MediaSink(Protocol):
    """The parts of :class:`~ari_app.media.websocket.MediaWebSocket` playout uses."""

    xoff: asyncio.Event

    async def send_audio(self, data: bytes) -> None:
        """Queue audio for the caller."""

    async def send_command(self, name: str, **params: object) -> None:
        """Send a control command."""


class Playout:
    """The outbound audio stream of one call: silence between replies, one reply at a time."""

    def __init__(
        self,
        sink: MediaSink,
        *,
        sample_rate: int = 16000,
        lead_ms: float = 240.0,
        filler_lead_ms: float = 40.0,
        slice_ms: float = 40.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.sink = sink
        self.rate = sample_rate
        self.lead_ms = lead_ms
        self.filler_lead_ms = filler_lead_ms
        self.slice_bytes = int(sample_rate * slice_ms / 1000) * 2
        self.frame_bytes = int(sample_rate * 0.02) * 2
        self.clock = clock
        self.sleep = sleep
        self.tracker = HeardTracker()
        self.marks_processed: list[str] = []
        self.first_audio_at: float | None = None
        self._on_first_audio: Callable[[float], None] | None = None
        self._marks = 0
        self._lock = asyncio.Lock()
        self._origin: float | None = None  # clock reading at stream position 0
        self._sent_ms = 0.0  # stream position sent so far
        self._paused_since: float | None = None
        self._reply_start: float | None = None  # stream position where the reply begins
        self._reply_ms = 0.0

    # -- stream clock --------------------------------------------------------------------
    def played_ms(self) -> float:
        """Stream position the caller has heard up to."""
        if self._origin is None:
            return 0.0
        now = self._paused_since if self._paused_since is not None else self.clock()
        return max(0.0, min(self._sent_ms, (now - self._origin) * 1000))

    @property
    def active(self) -> bool:
        """True while the current reply has audio not yet played."""
        if self._reply_start is None:
            return False
        return self.played_ms() < self._reply_start + self._reply_ms

    @property
    def paused(self) -> bool:
        """True between :meth:`pause` and :meth:`resume`."""
        return self._paused_since is not None

    def reply_played_ms(self) -> float:
        """How much of the current reply the caller has heard."""
        if self._reply_start is None:
            return 0.0
        return max(0.0, min(self._reply_ms, self.played_ms() - self._reply_start))

    def heard_text(self) -> str:
        """The words of the current reply heard so far."""
        return self.tracker.heard_text(self.reply_played_ms())

    # -- replies -------------------------------------------------------------------------
    def new_reply(self, on_first_audio: Callable[[float], None] | None = None) -> None:
        """Start accounting for a new reply; ``on_first_audio(t)`` fires at its first send."""
        self._on_first_audio = on_first_audio
        self.tracker.clear()
        self._reply_start = None
        self._reply_ms = 0.0
        self.first_audio_at = None

    async def play(self, pcm: bytes, text: str) -> None:
        """Send one chunk (a sentence) of the reply at real-time pace, then a mark."""
        self.tracker.sent(text, len(pcm) / 2 / self.rate * 1000)
        for offset in range(0, len(pcm), self.slice_bytes):
            piece = pcm[offset : offset + self.slice_bytes]
            async with self._lock:
                await self._wait_for_room(self.lead_ms)
                if self._reply_start is None:
                    self._reply_start = self._sent_ms
                await self._send(piece)
                self._reply_ms += len(piece) / 2 / self.rate * 1000
            if self.first_audio_at is None:
                self.first_audio_at = self.clock()
                if self._on_first_audio is not None:
                    self._on_first_audio(self.first_audio_at)
        self._marks += 1
        await self.sink.send_command("MARK_MEDIA", correlation_id=f"chunk-{self._marks}")

    async def drain(self) -> None:
        """Wait until the current reply has played."""
        while self.active:
            remaining = (self._reply_start or 0.0) + self._reply_ms - self.played_ms()
            await self.sleep(min(0.05, max(0.005, remaining / 1000)))

    async def fill_silence(self) -> None:
        """Run forever: keep the stream continuous with silence between replies."""
        silence = bytes(self.frame_bytes)
        while True:
            async with self._lock:
                idle = not self.paused and not self.sink.xoff.is_set()
                if idle and self._sent_ms - self.played_ms() < self.filler_lead_ms:
                    await self._send(silence)
            await self.sleep(0.02)

    # -- barge-in ------------------------------------------------------------------------
    async def pause(self) -> None:
        """Hold playback (a barge-in is suspected)."""
        if self._paused_since is None:
            self._paused_since = self.clock()
            await self.sink.send_command("PAUSE_MEDIA")

    async def resume(self) -> None:
        """Continue after :meth:`pause` (it was only a "mm-hm")."""
        if self._paused_since is not None:
            if self._origin is not None:
                self._origin += self.clock() - self._paused_since
            self._paused_since = None
            await self.sink.send_command("CONTINUE_MEDIA")

    async def flush(self) -> str:
        """Drop everything queued (barge-in); return the text the caller heard."""
        heard = self.heard_text()
        async with self._lock:
            played = self.played_ms()
            await self.sink.send_command("FLUSH_MEDIA")
            if self._paused_since is not None:
                self._paused_since = None
                await self.sink.send_command("CONTINUE_MEDIA")
            self._reply_ms = self.reply_played_ms()
            self._sent_ms = played
            self._origin = self.clock() - played / 1000
        return heard

    def on_control(self, event: MediaControlEvent) -> None:
        """Note control events that concern playout (marks processed)."""
        if event.event == "MEDIA_MARK_PROCESSED":
            self.marks_processed.append(event.correlation_id)

    # -- internals -----------------------------------------------------------------------
    async def _send(self, piece: bytes) -> None:
        if self._origin is None or self.played_ms() >= self._sent_ms:
            # Nothing queued in Asterisk: this piece plays from now.
            self._origin = self.clock() - self._sent_ms / 1000
        await self.sink.send_audio(piece)
        self._sent_ms += len(piece) / 2 / self.rate * 1000

    async def _wait_for_room(self, lead_ms: float) -> None:
        while True:
            if self.sink.xoff.is_set() or self._paused_since is not None:
                await self.sleep(0.02)
                continue
            ahead = self._sent_ms - self.played_ms()
            if ahead <= lead_ms:
                return
            await self.sleep((ahead - lead_ms) / 1000)
