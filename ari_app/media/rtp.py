"""RTP framing (RFC 3550) for the ulaw externalMedia fallback: pure, no sockets, no clock.

:func:`pack_rtp` / :func:`parse_rtp` convert between bytes and :class:`RtpPacket`.
:class:`RtpSender` numbers outgoing packets (sequence + 1 per packet, timestamp + samples per
packet, both wrapping). :class:`RtpReceiver` tracks the extended sequence number of one
source (RFC 3550 appendix A.1 style), counts losses, and drops duplicates and late packets;
it does not reorder (a jitter buffer is out of scope for a loopback Asterisk link).

Asterisk's externalMedia over RTP accepts payload types below 96 from the app, so the
fallback speaks PCMU (0) both ways; slin over RTP would be big-endian
(see :func:`ari_app.media.codec.byteswap16`).
"""

from __future__ import annotations

import secrets
import struct
from dataclasses import dataclass, field
from typing import Final

RTP_VERSION: Final = 2
HEADER_SIZE: Final = 12
PT_PCMU: Final = 0
"""Static payload type of G.711 μ-law at 8 kHz."""
PT_PCMA: Final = 8
"""Static payload type of G.711 A-law at 8 kHz."""

_SEQ_MOD: Final = 1 << 16
_TS_MOD: Final = 1 << 32
_MAX_DROPOUT: Final = 3000
_MAX_MISORDER: Final = 100
_HEADER = struct.Struct("!BBHII")


class RtpError(ValueError):
    """A datagram that is not a valid RTP packet."""


@dataclass(frozen=True)
class RtpPacket:
    """One RTP packet: the header fields and the payload (padding removed)."""

    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int
    payload: bytes = b""
    marker: bool = False
    csrcs: tuple[int, ...] = ()
    extension: tuple[int, bytes] | None = None
    """(profile-defined 16-bit id, extension data) when the X bit is set."""


def seq_delta(newer: int, older: int) -> int:
    """Signed distance from ``older`` to ``newer`` in 16-bit sequence space (-32768..32767)."""
    d = (newer - older) % _SEQ_MOD
    return d - _SEQ_MOD if d >= _SEQ_MOD // 2 else d


def pack_rtp(packet: RtpPacket) -> bytes:
    """Serialise a packet (no padding is added)."""
    if not 0 <= packet.payload_type < 128:
        raise RtpError(f"payload type out of range: {packet.payload_type}")
    if len(packet.csrcs) > 15:
        raise RtpError("at most 15 CSRCs")
    b0 = (RTP_VERSION << 6) | len(packet.csrcs)
    if packet.extension is not None:
        b0 |= 0x10
    b1 = (0x80 if packet.marker else 0) | packet.payload_type
    parts = [
        _HEADER.pack(b0, b1, packet.sequence % _SEQ_MOD, packet.timestamp % _TS_MOD, packet.ssrc)
    ]
    parts.extend(struct.pack("!I", c) for c in packet.csrcs)
    if packet.extension is not None:
        ext_id, data = packet.extension
        if len(data) % 4:
            raise RtpError("RTP header extension data must be a multiple of 4 bytes")
        parts.append(struct.pack("!HH", ext_id, len(data) // 4) + data)
    parts.append(packet.payload)
    return b"".join(parts)


def parse_rtp(data: bytes) -> RtpPacket:
    """Parse one datagram; raise :class:`RtpError` when it is not RTP version 2."""
    if len(data) < HEADER_SIZE:
        raise RtpError(f"RTP packet too short: {len(data)} bytes")
    b0, b1, seq, ts, ssrc = _HEADER.unpack_from(data)
    if b0 >> 6 != RTP_VERSION:
        raise RtpError(f"not RTP version 2 (version {b0 >> 6})")
    cc = b0 & 0x0F
    offset = HEADER_SIZE + 4 * cc
    if len(data) < offset:
        raise RtpError("RTP packet truncated in the CSRC list")
    csrcs = struct.unpack_from(f"!{cc}I", data, HEADER_SIZE) if cc else ()
    extension = None
    if b0 & 0x10:
        if len(data) < offset + 4:
            raise RtpError("RTP packet truncated in the extension header")
        ext_id, words = struct.unpack_from("!HH", data, offset)
        end = offset + 4 + 4 * words
        if len(data) < end:
            raise RtpError("RTP packet truncated in the extension data")
        extension = (ext_id, bytes(data[offset + 4 : end]))
        offset = end
    end = len(data)
    if b0 & 0x20:
        pad = data[-1]
        if pad == 0 or offset + pad > end:
            raise RtpError(f"bad RTP padding length {pad}")
        end -= pad
    return RtpPacket(
        payload_type=b1 & 0x7F,
        sequence=seq,
        timestamp=ts,
        ssrc=ssrc,
        payload=bytes(data[offset:end]),
        marker=bool(b1 & 0x80),
        csrcs=tuple(csrcs),
        extension=extension,
    )


@dataclass
class RtpSender:
    """Numbers outgoing packets of one source. Pure: the caller sends the bytes.

    Start values default to random ones (RFC 3550 §5.1); pass them for reproducible output.
    """

    payload_type: int = PT_PCMU
    ssrc: int = field(default_factory=lambda: secrets.randbits(32))
    sequence: int = field(default_factory=lambda: secrets.randbits(16))
    timestamp: int = field(default_factory=lambda: secrets.randbits(32))
    _first: bool = True

    def packetize(self, payload: bytes, samples: int, marker: bool | None = None) -> bytes:
        """Wrap ``payload`` (``samples`` samples long) into the next packet's bytes.

        The marker bit is set on the first packet of the stream and after :meth:`talkspurt`
        unless given explicitly.
        """
        mark = self._first if marker is None else marker
        data = pack_rtp(
            RtpPacket(
                payload_type=self.payload_type,
                sequence=self.sequence,
                timestamp=self.timestamp,
                ssrc=self.ssrc,
                payload=payload,
                marker=mark,
            )
        )
        self._first = False
        self.sequence = (self.sequence + 1) % _SEQ_MOD
        self.timestamp = (self.timestamp + samples) % _TS_MOD
        return data

    def skip(self, samples: int) -> None:
        """Advance the timestamp over a gap where nothing was sent (silence suppression)."""
        self.timestamp = (self.timestamp + samples) % _TS_MOD

    def talkspurt(self) -> None:
        """Mark the next packet as the start of a talkspurt."""
        self._first = True


@dataclass(frozen=True)
class RtpReceived:
    """A packet accepted by :class:`RtpReceiver`, with what was lost just before it."""

    packet: RtpPacket
    extended_sequence: int
    lost_before: int
    """Packets missing between the previous accepted one and this one."""


@dataclass
class RtpReceiver:
    """Sequence bookkeeping for one incoming stream (the first SSRC seen, or a fixed one)."""

    payload_types: frozenset[int] = frozenset({PT_PCMU, PT_PCMA})
    ssrc: int | None = None
    received: int = 0
    lost: int = 0
    duplicates: int = 0
    late: int = 0
    _ext_max: int | None = None

    def receive(self, data: bytes) -> RtpReceived | None:
        """Parse and account one datagram; None for duplicates, late or foreign packets.

        Raises :class:`RtpError` for datagrams that are not RTP at all.
        """
        pkt = parse_rtp(data)
        if pkt.payload_type not in self.payload_types:
            return None
        if self.ssrc is None:
            self.ssrc = pkt.ssrc
        elif pkt.ssrc != self.ssrc:
            return None
        if self._ext_max is None:
            self._ext_max = pkt.sequence
            self.received += 1
            return RtpReceived(pkt, pkt.sequence, 0)
        delta = seq_delta(pkt.sequence, self._ext_max % _SEQ_MOD)
        if delta == 0:
            self.duplicates += 1
            return None
        if delta < 0:
            if -delta <= _MAX_MISORDER:
                self.late += 1
                return None
        elif delta > _MAX_DROPOUT:
            # A big jump: the sender restarted; resynchronise on this packet.
            self._ext_max = pkt.sequence
            self.received += 1
            return RtpReceived(pkt, pkt.sequence, 0)
        if delta < 0:  # far in the past: also treat as a restart
            self._ext_max = pkt.sequence
            self.received += 1
            return RtpReceived(pkt, pkt.sequence, 0)
        self._ext_max += delta
        self.lost += delta - 1
        self.received += 1
        return RtpReceived(pkt, self._ext_max, delta - 1)
