"""RTP header pack/parse and sequence bookkeeping (RFC 3550)."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ari_app.media import rtp


@given(
    pt=st.integers(0, 127),
    seq=st.integers(0, 65535),
    ts=st.integers(0, 2**32 - 1),
    ssrc=st.integers(0, 2**32 - 1),
    marker=st.booleans(),
    payload=st.binary(max_size=200),
    csrcs=st.lists(st.integers(0, 2**32 - 1), max_size=15),
)
def test_pack_parse_round_trip(
    pt: int, seq: int, ts: int, ssrc: int, marker: bool, payload: bytes, csrcs: list[int]
) -> None:
    pkt = rtp.RtpPacket(pt, seq, ts, ssrc, payload, marker, tuple(csrcs))
    assert rtp.parse_rtp(rtp.pack_rtp(pkt)) == pkt


def test_known_header_bytes() -> None:
    data = rtp.pack_rtp(rtp.RtpPacket(0, 1, 160, 0x11223344, b"\xff" * 160, marker=True))
    assert data[:12] == bytes.fromhex("80 80 0001 000000a0 11223344")
    assert len(data) == 172


def test_parse_extension_and_padding() -> None:
    header = struct.pack("!BBHII", 0x80 | 0x20 | 0x10, 8, 7, 99, 5)
    ext = struct.pack("!HH", 0xBEDE, 1) + b"\x01\x02\x03\x04"
    data = header + ext + b"abc" + b"\x00\x00\x03"
    pkt = rtp.parse_rtp(data)
    assert pkt.payload == b"abc"
    assert pkt.extension == (0xBEDE, b"\x01\x02\x03\x04")
    assert pkt.payload_type == rtp.PT_PCMA
    assert rtp.parse_rtp(rtp.pack_rtp(pkt)) == pkt


@pytest.mark.parametrize(
    "data",
    [
        b"\x80\x00",  # short
        bytes([0x40]) + bytes(11),  # version 1
        bytes([0x82]) + bytes(11),  # CSRC count beyond the data
        bytes([0xA0]) + bytes(10) + b"\x00",  # padding length 0
        bytes([0x90]) + bytes(11) + b"\x00\x00\x00\x09",  # extension beyond the data
    ],
)
def test_parse_rejects_malformed(data: bytes) -> None:
    with pytest.raises(rtp.RtpError):
        rtp.parse_rtp(data)


def test_pack_rejects_bad_fields() -> None:
    with pytest.raises(rtp.RtpError):
        rtp.pack_rtp(rtp.RtpPacket(128, 0, 0, 0))
    with pytest.raises(rtp.RtpError):
        rtp.pack_rtp(rtp.RtpPacket(0, 0, 0, 0, extension=(1, b"abc")))


def test_seq_delta_wraps() -> None:
    assert rtp.seq_delta(0, 65535) == 1
    assert rtp.seq_delta(65535, 0) == -1
    assert rtp.seq_delta(10, 5) == 5


def test_sender_numbers_and_wraps() -> None:
    s = rtp.RtpSender(payload_type=0, ssrc=7, sequence=65535, timestamp=2**32 - 80)
    p1 = rtp.parse_rtp(s.packetize(b"\xff" * 160, 160))
    p2 = rtp.parse_rtp(s.packetize(b"\xff" * 160, 160))
    assert (p1.sequence, p1.timestamp, p1.marker) == (65535, 2**32 - 80, True)
    assert (p2.sequence, p2.timestamp, p2.marker) == (0, 80, False)
    s.skip(160)
    s.talkspurt()
    p3 = rtp.parse_rtp(s.packetize(b"", 160))
    assert p3.timestamp == 400 and p3.marker


def test_sender_random_start_values_differ() -> None:
    a, b = rtp.RtpSender(), rtp.RtpSender()
    assert (a.ssrc, a.sequence, a.timestamp) != (b.ssrc, b.sequence, b.timestamp)


def _pkt(seq: int, ssrc: int = 1, pt: int = 0) -> bytes:
    return rtp.pack_rtp(rtp.RtpPacket(pt, seq % 65536, seq * 160, ssrc, b"x"))


def test_receiver_counts_loss_duplicates_and_late() -> None:
    r = rtp.RtpReceiver()
    got = [r.receive(_pkt(s)) for s in (65534, 65535, 1, 1, 0, 2)]
    accepted = [g.extended_sequence for g in got if g is not None]
    assert accepted == [65534, 65535, 65537, 65538]
    assert got[2] is not None and got[2].lost_before == 1
    assert (r.lost, r.duplicates, r.late, r.received) == (1, 1, 1, 4)


def test_receiver_ignores_foreign_sources_and_payload_types() -> None:
    r = rtp.RtpReceiver()
    assert r.receive(_pkt(10, ssrc=5)) is not None
    assert r.receive(_pkt(11, ssrc=6)) is None
    assert r.receive(_pkt(12, ssrc=5, pt=96)) is None


def test_receiver_resyncs_after_a_big_jump() -> None:
    r = rtp.RtpReceiver()
    r.receive(_pkt(100))
    got = r.receive(_pkt(20000))
    assert got is not None and got.lost_before == 0
    got2 = r.receive(_pkt(20001))
    assert got2 is not None and got2.lost_before == 0
