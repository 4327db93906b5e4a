"""The caller's audio as it crossed the caller's network edge, on one real clock.

baresip's recordings are counts of decoded frames, not clocks: a frame its jitter buffer
drops, or a burst it absorbs, shifts everything after it in the "heard" file, and aligning
that file with the microphone by file lengths (both stop at hang-up) lets early events drift
by 100-500 ms over a two-minute call. Measurements of how fast the assistant reacts need a
clock, so :class:`WireCapture` records the RTP the caller sends and receives on loopback with
kernel receive timestamps (an ``AF_PACKET`` socket: needs root or CAP_NET_RAW), and
:func:`wire_audio` lays each direction out as audio on that clock.

The timeline is the caller's socket: a handset adds its packetisation (20 ms) before the
wire and its jitter buffer (20-60 ms on a clean line) after it; neither is the assistant's.
Sans-I/O apart from :class:`WireCapture`: parsing and layout are pure.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass

import numpy as np

from ari_app.media.codec import alaw_decode, pcm16_to_float32, ulaw_decode
from ari_app.media.rtp import RtpError, parse_rtp
from switchboard.callers.audio import Samples

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
"""``sll_pkttype`` of a frame seen on its way out; loopback shows every frame out and in."""
SO_TIMESTAMPNS = 35
_ETHERNET_HEADER = 14
_IPPROTO_UDP = 17
_PCMU, _PCMA = 0, 8


@dataclass(frozen=True)
class UdpDatagram:
    """One IPv4 UDP datagram lifted from a link-layer frame."""

    src: tuple[str, int]
    dst: tuple[str, int]
    payload: bytes


@dataclass(frozen=True)
class WirePacket:
    """One RTP audio packet at the caller's socket."""

    at: float
    """Kernel receive time, seconds (CLOCK_REALTIME)."""
    sent_by_caller: bool
    pcm: bytes
    """The payload decoded to s16le at 8 kHz."""


def parse_udp_frame(frame: bytes, link_header: int = _ETHERNET_HEADER) -> UdpDatagram | None:
    """The IPv4 UDP datagram in a captured frame, or None for anything else."""
    ip = frame[link_header:]
    if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != _IPPROTO_UDP:
        return None
    ihl = (ip[0] & 0x0F) * 4
    total = struct.unpack_from("!H", ip, 2)[0]
    if ihl < 20 or len(ip) < ihl + 8 or total < ihl + 8:
        return None
    src_port, dst_port, length = struct.unpack_from("!HHH", ip, ihl)
    end = min(len(ip), ihl + length, total)
    return UdpDatagram(
        src=(socket.inet_ntoa(ip[12:16]), src_port),
        dst=(socket.inet_ntoa(ip[16:20]), dst_port),
        payload=bytes(ip[ihl + 8 : end]),
    )


def caller_audio(datagram: UdpDatagram, at: float, ports: range) -> WirePacket | None:
    """The G.711 audio packet to or from the caller's RTP ports, or None (SIP, RTCP, ...).

    Ports alone identify the caller: baresip binds its RTP to its default interface address,
    which need not be the address its SIP account uses."""
    if datagram.src[1] in ports:
        sent = True
    elif datagram.dst[1] in ports:
        sent = False
    else:
        return None
    try:
        packet = parse_rtp(datagram.payload)
    except RtpError:
        return None
    if packet.payload_type == _PCMU:
        pcm = ulaw_decode(packet.payload)
    elif packet.payload_type == _PCMA:
        pcm = alaw_decode(packet.payload)
    else:
        return None  # RTCP, telephone-event, comfort noise
    return WirePacket(at=at, sent_by_caller=sent, pcm=pcm)


def wire_audio(
    packets: list[WirePacket], sent_by_caller: bool, origin: float, rate: int = 8000
) -> Samples:
    """One direction as float audio from ``origin`` on: each packet plays from its arrival,
    or straight after the previous one if that is still playing (a playout with no added
    delay that never drops); silence where nothing arrived."""
    chosen = sorted((p for p in packets if p.sent_by_caller == sent_by_caller), key=lambda p: p.at)
    if not chosen:
        return np.zeros(0, dtype=np.float64)
    placed: list[tuple[int, Samples]] = []
    cursor = 0
    for packet in chosen:
        samples: Samples = pcm16_to_float32(packet.pcm).astype(np.float64)
        start = max(cursor, round((packet.at - origin) * rate))
        if start + len(samples) <= 0:
            continue
        placed.append((start, samples))
        cursor = start + len(samples)
    out: Samples = np.zeros(max(0, cursor), dtype=np.float64)
    for start, samples in placed:
        first = max(0, -start)
        out[start + first : start + len(samples)] = samples[first:]
    return out


class WireCapture:
    """Capture the RTP of one caller (its RTP ``ports``) on the loopback device.

    :meth:`start` before the call and :meth:`stop` after it (or use it as a context manager);
    :attr:`packets` holds what crossed the wire. ``start`` raises PermissionError without
    CAP_NET_RAW.
    """

    def __init__(self, ports: range, device: str = "lo") -> None:
        self.ports = ports
        self.device = device
        self.packets: list[WirePacket] = []
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self) -> None:
        """Open the packet socket and start capturing in a background thread."""
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        try:
            sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            sock.bind((self.device, 0))
            sock.settimeout(0.2)
        except OSError:
            sock.close()
            raise
        self._sock = sock
        self._thread = threading.Thread(target=self._run, name="wire-capture", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop capturing (blocks up to a fraction of a second for the thread)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        if self._sock is not None:
            self._sock.close()

    def __enter__(self) -> WireCapture:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                frame, ancillary, _flags, address = self._sock.recvmsg(2048, 64)
            except TimeoutError:
                continue
            except OSError:
                return
            if address[2] == PACKET_OUTGOING:
                continue
            datagram = parse_udp_frame(frame)
            if datagram is None:
                continue
            packet = caller_audio(datagram, _kernel_time(ancillary), self.ports)
            if packet is not None:
                self.packets.append(packet)


def _kernel_time(ancillary: list[tuple[int, int, bytes]]) -> float:
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
            seconds, nanos = struct.unpack("qq", data[:16])
            return float(seconds) + float(nanos) / 1e9
    return time.time()


def can_capture() -> bool:
    """True when this process may open a packet socket (root or CAP_NET_RAW)."""
    with contextlib.suppress(OSError):
        socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL)).close()
        return True
    return False
