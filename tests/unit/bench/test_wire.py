"""The caller's wire timeline: UDP/RTP lifted from captured frames, laid out on one clock."""

from __future__ import annotations

import socket
import struct
import time

import numpy as np
import pytest

from ari_app.media.codec import ulaw_encode
from ari_app.media.rtp import RtpPacket, pack_rtp
from switchboard.callers.analysis import Segment
from switchboard.callers.timeline import timeline_from_wire
from switchboard.callers.wire import (
    UdpDatagram,
    WireCapture,
    WirePacket,
    caller_audio,
    can_capture,
    parse_udp_frame,
    wire_audio,
)

FRAME = 160  # 20 ms at 8 kHz


def udp_frame(src: tuple[str, int], dst: tuple[str, int], payload: bytes) -> bytes:
    """An Ethernet + IPv4 + UDP frame as a packet socket on loopback delivers it."""
    udp = struct.pack("!HHHH", src[1], dst[1], 8 + len(payload), 0) + payload
    ip = struct.pack(
        "!BBHHHBBH4s4s",
        0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
        socket.inet_aton(src[0]), socket.inet_aton(dst[0]),
    )  # fmt: skip
    return bytes(12) + b"\x08\x00" + ip + udp


def rtp(pcm: bytes, payload_type: int = 0, seq: int = 1) -> bytes:
    return pack_rtp(RtpPacket(payload_type, seq, seq * FRAME, 7, ulaw_encode(pcm)))


def tone(level: float = 0.3) -> bytes:
    t = np.arange(FRAME) / 8000
    return (level * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2").tobytes()


def test_a_udp_frame_is_lifted_and_anything_else_is_not() -> None:
    frame = udp_frame(("127.0.0.1", 40000), ("127.0.0.1", 10000), b"hello")
    assert parse_udp_frame(frame) == UdpDatagram(
        ("127.0.0.1", 40000), ("127.0.0.1", 10000), b"hello"
    )
    tcp = bytearray(frame)
    tcp[14 + 9] = 6
    assert parse_udp_frame(bytes(tcp)) is None
    assert parse_udp_frame(frame[:30]) is None
    assert parse_udp_frame(b"") is None


def test_only_g711_to_or_from_the_callers_ports_counts() -> None:
    ports = range(40000, 40010)
    out = UdpDatagram(("127.0.0.1", 40000), ("127.0.0.1", 10000), rtp(tone()))
    back = UdpDatagram(("127.0.0.1", 10000), ("127.0.0.1", 40000), rtp(tone()))
    sent = caller_audio(out, 1.0, ports)
    heard = caller_audio(back, 1.0, ports)
    assert sent is not None and sent.sent_by_caller and len(sent.pcm) == 2 * FRAME
    assert heard is not None and not heard.sent_by_caller
    other = UdpDatagram(("127.0.0.1", 5060), ("127.0.0.1", 10000), rtp(tone()))
    assert caller_audio(other, 1.0, ports) is None
    event = UdpDatagram(out.src, out.dst, rtp(bytes(8), payload_type=101))
    assert caller_audio(event, 1.0, ports) is None
    assert caller_audio(UdpDatagram(out.src, out.dst, b"\x00garbage"), 1.0, ports) is None


def packet(at: float, sent: bool, pcm: bytes) -> WirePacket:
    return WirePacket(at=at, sent_by_caller=sent, pcm=pcm)


def test_packets_play_from_their_arrival_and_a_burst_plays_in_order() -> None:
    loud, quiet = tone(), bytes(2 * FRAME)
    packets = [
        packet(10.00, False, loud),
        packet(10.10, False, loud),  # 80 ms of nothing before it
        packet(10.10, False, quiet),  # bunched with the previous one: plays after it
        packet(10.00, True, quiet),
    ]
    audio = wire_audio(packets, sent_by_caller=False, origin=10.0)
    assert len(audio) == int(0.14 * 8000)
    rms = [float(np.sqrt(np.mean(audio[i : i + FRAME] ** 2))) for i in range(0, len(audio), FRAME)]
    assert [round(r, 1) for r in rms] == [0.2, 0.0, 0.0, 0.0, 0.0, 0.2, 0.0]
    assert len(wire_audio(packets, sent_by_caller=True, origin=10.0)) == FRAME
    assert len(wire_audio([], sent_by_caller=True, origin=0.0)) == 0


def test_the_timeline_starts_at_the_callers_first_frame() -> None:
    speech, silence = tone(), bytes(2 * FRAME)
    packets = [packet(5.0 + 0.02 * i, True, speech if 10 <= i < 30 else silence) for i in range(60)]
    packets += [packet(5.9 + 0.02 * i, False, speech) for i in range(20)]  # the reply
    timeline = timeline_from_wire(packets)
    assert timeline is not None and timeline.source == "wire"
    assert timeline.heard == [Segment(0.9, 1.3)]
    (spoken,) = timeline.spoken([Segment(0.25, 0.55)])  # the script is a frame off
    assert spoken.start == pytest.approx(0.2, abs=0.02)  # found on a 20 ms grid
    assert spoken.end == pytest.approx(0.6, abs=0.02)
    assert timeline_from_wire([packet(1.0, False, speech)]) is None


@pytest.mark.skipif(not can_capture(), reason="needs root or CAP_NET_RAW")
def test_the_capture_sees_real_datagrams_both_ways_with_kernel_times() -> None:
    caller = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    pbx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    caller.bind(("127.0.0.1", 0))
    pbx.bind(("127.0.0.1", 0))
    port = caller.getsockname()[1]
    with caller, pbx, WireCapture(range(port, port + 1)) as wire:
        caller.sendto(rtp(tone(), seq=1), pbx.getsockname())
        pbx.sendto(rtp(tone(), seq=2), caller.getsockname())
        pbx.sendto(b"not rtp", caller.getsockname())
        deadline = 50
        while len(wire.packets) < 2 and deadline:
            time.sleep(0.02)
            deadline -= 1
    assert [p.sent_by_caller for p in wire.packets] == [True, False]
    first, second = wire.packets
    assert 0.0 <= second.at - first.at < 1.0
