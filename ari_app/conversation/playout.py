"""The assistant's voice on the wire: one paced sender per call over chan_websocket.

Theory of operation. A single sender task (:meth:`Playout.run`) owns the outbound stream and
keeps it continuous: it sends the current reply's audio at real-time pace with a small lead
(``lead_ms`` queued in Asterisk at most) and silence whenever there is nothing to say, so
the caller receives an unbroken stream (RTP keeps flowing; recordings keep real time).

The stream position the caller has heard is the elapsed playing time since the stream was
anchored. A reply is a buffer the sender walks through; the reply's *anchor* maps reply time
onto stream time, so "how much of the reply was heard" is ``played - anchor`` (capped at what
was sent). Barge-in:

* :meth:`pause` (suspected): ``FLUSH_MEDIA`` drops what Asterisk has queued, the reply's send
  position rewinds to what was heard, and the sender sends silence until :meth:`resume`
  continues from the start of the sentence that was cut (a "mm-hm" costs the caller a short
  gap and a few repeated words, never a lost sentence nor the answer from its start);
* :meth:`flush` (confirmed): drops queued audio and the rest of the reply.

Between replies the sender keeps ``filler_lead_ms`` of silence queued so the stream never
runs dry. When a reply starts (or resumes) that silence would delay its first word, so the
sender drops it first (``FLUSH_MEDIA``, then the reply audio at once): the keep-alive lead
costs no latency.

``MARK_MEDIA`` at each chunk end and Asterisk's ``MEDIA_MARK_PROCESSED`` confirm chunk ends;
``MEDIA_XOFF``/``MEDIA_XON`` (the sink's ``xoff`` event) stop and restart sending.
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
        lead_ms: float = 200.0,
        filler_lead_ms: float = 40.0,
        tick_s: float = 0.01,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.sink = sink
        self.rate = sample_rate
        self.lead_ms = lead_ms
        self.filler_lead_ms = filler_lead_ms
        self.tick_s = tick_s
        self.frame_bytes = int(sample_rate * 0.02) * 2
        self.frame_ms = 20.0
        self.clock = clock
        self.sleep = sleep
        self.tracker = HeardTracker()
        self.marks_processed: list[str] = []
        self.first_audio_at: float | None = None
        self._on_first_audio: Callable[[float], None] | None = None
        self._origin: float | None = None  # clock reading at stream position 0
        self._sent_ms = 0.0  # stream position sent so far
        self._reply = bytearray()
        self._reply_pos = 0  # bytes of the reply sent (rewound by pause)
        self._anchor: float | None = None  # stream ms where reply byte 0 plays
        self._chunk_ends: list[int] = []
        self._starts: dict[int, Callable[[float], None]] = {}  # byte offset → on first send
        self._marks = 0
        self._paused = False
        self._heard_ms = 0.0  # the furthest point of the reply heard (a resume rewinds)
        self._io = asyncio.Lock()
        """Held while the sender writes and while pause/flush change the stream, so a
        barge-in never interleaves with a write in progress (no reply audio after FLUSH)."""

    # -- clocks --------------------------------------------------------------------------
    def _ms(self, nbytes: int) -> float:
        return nbytes / 2 / self.rate * 1000

    def played_ms(self) -> float:
        """Stream position the caller has heard up to."""
        if self._origin is None:
            return 0.0
        return max(0.0, min(self._sent_ms, (self.clock() - self._origin) * 1000))

    def reply_played_ms(self) -> float:
        """How much of the current reply the caller has heard."""
        if self._anchor is None:
            return 0.0
        return max(0.0, min(self._ms(self._reply_pos), self.played_ms() - self._anchor))

    @property
    def reply_ms(self) -> float:
        """Length of the current reply's audio so far."""
        return self._ms(len(self._reply))

    @property
    def active(self) -> bool:
        """True while the current reply has audio the caller has not heard yet."""
        return bool(self._reply) and self.reply_played_ms() < self.reply_ms - 0.5

    @property
    def paused(self) -> bool:
        """True between :meth:`pause` and :meth:`resume`."""
        return self._paused

    def heard_text(self) -> str:
        """The words of the current reply heard so far (counting what a resume repeated once)."""
        return self.tracker.heard_text(max(self._heard_ms, self.reply_played_ms()))

    # -- replies -------------------------------------------------------------------------
    def new_reply(self, on_first_audio: Callable[[float], None] | None = None) -> None:
        """Start a new reply; ``on_first_audio(t)`` fires when its first audio is sent."""
        self._reply = bytearray()
        self._reply_pos = 0
        self._anchor = None
        self._chunk_ends = []
        self._starts = {}
        self._paused = False
        self._heard_ms = 0.0
        self.tracker.clear()
        self.first_audio_at = None
        self._on_first_audio = on_first_audio

    def play(self, pcm: bytes, text: str, on_start: Callable[[float], None] | None = None) -> None:
        """Append one chunk (a sentence) to the reply; the sender paces it out.
        ``on_start(t)`` fires when the chunk's first audio is sent."""
        self.tracker.sent(text, self._ms(len(pcm)))
        if on_start is not None:
            self._starts[len(self._reply)] = on_start
        self._reply += pcm
        self._chunk_ends.append(len(self._reply))

    async def drain(self) -> None:
        """Wait until the current reply has been heard in full."""
        while self.active or (self._reply and self._anchor is None):
            await self.sleep(0.02)

    # -- barge-in ------------------------------------------------------------------------
    async def pause(self) -> None:
        """Stop the reply where the caller is (a barge-in is suspected)."""
        async with self._io:
            if self._paused:
                return
            heard = self.reply_played_ms()
            self._heard_ms = max(self._heard_ms, heard)
            self._paused = True
            await self._drop_queued()
            self._reply_pos = min(len(self._reply), int(heard * self.rate / 1000) * 2)

    async def resume(self, max_rewind_ms: float = 4000.0) -> None:
        """Continue the reply (it was only a "mm-hm"): from the start of the sentence the pause
        cut, when that is at most ``max_rewind_ms`` back, else from where it stopped."""
        if self._paused:
            start = self.sentence_start(self._reply_pos)
            if self._ms(self._reply_pos - start) <= max_rewind_ms:
                self._reply_pos = start
            self._paused = False
            self._anchor = None  # re-anchored by the next reply frame sent

    def sentence_start(self, position: int) -> int:
        """The byte offset where the chunk (sentence) holding ``position`` begins."""
        return max((end for end in self._chunk_ends if end <= position), default=0)

    async def flush(self) -> str:
        """Drop the rest of the reply (barge-in confirmed); return the text the caller heard."""
        async with self._io:
            heard = self.heard_text()
            await self._drop_queued()
            self._reply_pos = 0
            self._reply = bytearray()
            self._chunk_ends = []
            self._paused = False
            return heard

    def on_control(self, event: MediaControlEvent) -> None:
        """Note control events that concern playout (marks processed)."""
        if event.event == "MEDIA_MARK_PROCESSED":
            self.marks_processed.append(event.correlation_id)

    # -- the sender ----------------------------------------------------------------------
    async def run(self) -> None:
        """Send forever: reply audio when there is some, silence otherwise."""
        silence = bytes(self.frame_bytes)
        while True:
            async with self._io:
                if not self.sink.xoff.is_set():
                    ahead = self._sent_ms - self.played_ms()
                    if not self._paused and self._reply_pos < len(self._reply):
                        budget = int((self.lead_ms - ahead) / 20)
                        if budget > 0:
                            await self._send_reply(budget)
                    elif ahead < self.filler_lead_ms:
                        await self._send(silence)
            await self.sleep(self.tick_s)

    async def _send_reply(self, frames: int) -> None:
        end = min(len(self._reply), self._reply_pos + frames * self.frame_bytes)
        piece = bytes(self._reply[self._reply_pos : end])
        if self._anchor is None:  # the next byte plays at stream position _sent_ms
            if self._sent_ms - self.played_ms() >= self.frame_ms:
                await self._drop_queued()  # only silence is queued: play the reply now
            self._anchor = self._sent_ms - self._ms(self._reply_pos)
        await self._send(piece)
        start, self._reply_pos = self._reply_pos, end
        if self.first_audio_at is None:
            self.first_audio_at = self.clock()
            if self._on_first_audio is not None:
                self._on_first_audio(self.first_audio_at)
        for offset in [o for o in self._starts if start <= o < end]:
            self._starts.pop(offset)(self.clock())
        for boundary in self._chunk_ends:
            if start < boundary <= end:
                self._marks += 1
                await self.sink.send_command("MARK_MEDIA", correlation_id=f"chunk-{self._marks}")

    async def _send(self, piece: bytes) -> None:
        if self._origin is None or self.played_ms() >= self._sent_ms:
            # Nothing queued in Asterisk: this piece plays from now.
            self._origin = self.clock() - self._sent_ms / 1000
        await self.sink.send_audio(piece)
        self._sent_ms += self._ms(len(piece))

    async def _drop_queued(self) -> None:
        played = self.played_ms()
        await self.sink.send_command("FLUSH_MEDIA")
        self._sent_ms = played
        self._origin = self.clock() - played / 1000
