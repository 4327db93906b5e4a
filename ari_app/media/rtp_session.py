"""The RTP fallback media session (μ-law externalMedia) for Asterisk without chan_websocket.

It offers the same interface as :class:`~ari_app.media.websocket.MediaWebSocket`, so calls
and playout do not care which transport they have: inbound RTP becomes 16 kHz s16le
:class:`AudioFrame` s; outbound 16 kHz audio is queued, resampled to 8 kHz, μ-law encoded and
sent one 20 ms packet at a time by a paced sender (RTP has no queue on Asterisk's side). The
chan_websocket commands are emulated on that queue: FLUSH_MEDIA empties it, PAUSE_MEDIA and
CONTINUE_MEDIA hold it, MARK_MEDIA yields MEDIA_MARK_PROCESSED when the mark is sent.

Only Asterisk may speak into the call: once :meth:`RtpMediaSession.connect` names Asterisk's
RTP address, datagrams from anywhere else are dropped (and counted in ``rejected``); before
that, only datagrams from ``expected_host`` (Asterisk's host) are taken. Nobody else on the
network can inject audio by racing Asterisk's first packet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from ari_app.media.codec import StreamResampler, ulaw_decode, ulaw_encode
from ari_app.media.control import MediaControlEvent
from ari_app.media.rtp import PT_PCMU, RtpError, RtpReceiver, RtpSender
from ari_app.media.websocket import AudioFrame, MediaItem

log = logging.getLogger(__name__)

_UNSPECIFIED = ("0.0.0.0", "::", "")
PTIME_S = 0.02
SAMPLES_8K = 160
BYTES_16K = 640


class _Inbound(asyncio.DatagramProtocol):
    def __init__(self, session: RtpMediaSession) -> None:
        self.session = session

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.session._on_datagram(data, addr)


class RtpMediaSession:
    """One call's RTP media: a UDP socket to Asterisk's externalMedia channel."""

    def __init__(self, expected_host: str | None = None) -> None:
        self.xoff = asyncio.Event()  # never set: RTP has no flow control
        self.frames_in = 0
        self.bytes_out = 0
        self.rejected = 0
        """Datagrams dropped because they did not come from Asterisk."""
        self.control_format = "json"
        self.expected_host = expected_host
        self.remote: tuple[str, int] | None = None
        self._transport: asyncio.DatagramTransport | None = None
        self._items: asyncio.Queue[MediaItem | None] = asyncio.Queue()
        self._receiver = RtpReceiver(payload_types=frozenset({PT_PCMU}))
        self._upsample = StreamResampler(8000, 16000)
        self._downsample = StreamResampler(16000, 8000)
        self._sender = RtpSender(payload_type=PT_PCMU)
        self._outbound = bytearray()  # 8 kHz μ-law waiting to be sent
        self._marks: deque[tuple[int, str]] = deque()  # (bytes still to send before it, id)
        self._paused = False
        self._sent_total = 0
        self._pacer: asyncio.Task[None] | None = None
        self._closed = False

    @classmethod
    async def open(cls, bind_address: str, expected_host: str | None = None) -> RtpMediaSession:
        """Bind a UDP port on ``bind_address`` (read it from :attr:`local_address`);
        ``expected_host`` is Asterisk's address, trusted until :meth:`connect` names the port."""
        session = cls(expected_host)
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Inbound(session), local_addr=(bind_address, 0)
        )
        session._transport = transport
        session._pacer = asyncio.create_task(session._pace())
        return session

    @property
    def local_address(self) -> tuple[str, int]:
        """Where Asterisk must send the call's RTP."""
        assert self._transport is not None
        host, port = self._transport.get_extra_info("sockname")[:2]
        return str(host), int(port)

    def connect(self, host: str, port: int) -> None:
        """Send to Asterisk's RTP address (``UNICASTRTP_LOCAL_ADDRESS``/``_PORT``)."""
        if host in _UNSPECIFIED and self.expected_host:
            host = self.expected_host
        self.remote = (host, port)
        self._items.put_nowait(
            MediaControlEvent("MEDIA_START", fields={"format": "slin16", "ptime": 20})
        )

    # -- inbound -------------------------------------------------------------------------
    def _from_asterisk(self, addr: tuple[str, int]) -> bool:
        host, port = str(addr[0]), int(addr[1])
        if self.remote is None:
            return self.expected_host is not None and host == self.expected_host
        return (host, port) == self.remote

    def _on_datagram(self, data: bytes, addr: tuple[str, int]) -> None:
        if not self._from_asterisk(addr):
            self.rejected += 1
            return
        try:
            received = self._receiver.receive(data)
        except RtpError:
            return
        if received is None:
            return
        pcm8 = ulaw_decode(received.packet.payload)
        if received.lost_before:  # keep real time: silence for what was lost (up to 200 ms)
            pcm8 = bytes(2 * SAMPLES_8K * min(received.lost_before, 10)) + pcm8
        self.frames_in += 1
        self._items.put_nowait(AudioFrame(self._upsample.process(pcm8)))

    async def items(self) -> AsyncIterator[MediaItem]:
        """Audio frames (and emulated control events) until closed."""
        while (item := await self._items.get()) is not None:
            yield item

    # -- outbound ------------------------------------------------------------------------
    async def send_audio(self, data: bytes) -> None:
        """Queue 16 kHz s16le audio for the caller."""
        self._outbound += ulaw_encode(self._downsample.process(data))
        self.bytes_out += len(data)

    async def send_command(self, name: str, **params: Any) -> None:
        """Emulate chan_websocket's media commands on the outbound queue."""
        if name == "FLUSH_MEDIA":
            self._outbound.clear()
            self._marks.clear()
        elif name == "PAUSE_MEDIA":
            self._paused = True
        elif name == "CONTINUE_MEDIA":
            self._paused = False
        elif name == "MARK_MEDIA":
            self._marks.append(
                (self._sent_total + len(self._outbound), str(params.get("correlation_id", "")))
            )

    async def flush(self) -> None:
        """Drop queued audio (barge-in)."""
        await self.send_command("FLUSH_MEDIA")

    async def _pace(self) -> None:
        """Send one 20 ms packet per tick (silence when idle), catching up after a stall."""
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        silence = ulaw_encode(bytes(2 * SAMPLES_8K))
        while True:
            next_at += PTIME_S
            if self.remote is not None and self._transport is not None:
                if self._paused or not self._outbound:
                    payload = silence
                else:
                    payload = bytes(self._outbound[:SAMPLES_8K]).ljust(SAMPLES_8K, silence[:1])
                    del self._outbound[:SAMPLES_8K]
                    self._sent_total += SAMPLES_8K
                    self._emit_marks()
                self._transport.sendto(self._sender.packetize(payload, SAMPLES_8K), self.remote)
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    def _emit_marks(self) -> None:
        while self._marks and self._marks[0][0] <= self._sent_total:
            _, mark = self._marks.popleft()
            self._items.put_nowait(
                MediaControlEvent("MEDIA_MARK_PROCESSED", fields={"correlation_id": mark})
            )

    @property
    def closed(self) -> bool:
        """True once closed."""
        return self._closed

    async def close(self) -> None:
        """Stop sending and release the socket."""
        self._closed = True
        if self._pacer is not None:
            self._pacer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pacer
        if self._transport is not None:
            self._transport.close()
        self._items.put_nowait(None)
