"""The RTP media leg takes audio from Asterisk only: packets from any other address or port
(someone racing Asterisk's first packet, or injecting into a call) are dropped. Real UDP
sockets on the loopback."""

from __future__ import annotations

import asyncio
import socket

from ari_app.media.codec import ulaw_encode
from ari_app.media.rtp import PT_PCMU, RtpSender
from ari_app.media.rtp_session import RtpMediaSession


def _udp(host: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, 0))
    return sock


async def _settle(session: RtpMediaSession, total: int) -> None:
    async with asyncio.timeout(2):
        while session.frames_in + session.rejected < total:
            await asyncio.sleep(0.01)


async def test_only_asterisks_address_speaks_into_the_call() -> None:
    session = await RtpMediaSession.open("127.0.0.1", expected_host="127.0.0.1")
    asterisk, intruder, other_host = _udp("127.0.0.1"), _udp("127.0.0.1"), _udp("127.0.0.2")
    packet = RtpSender(payload_type=PT_PCMU)
    voice = ulaw_encode(bytes(320))
    target = session.local_address
    try:
        other_host.sendto(packet.packetize(voice, 160), target)  # before connect: wrong host
        asterisk.sendto(packet.packetize(voice, 160), target)  # Asterisk's host: taken
        await _settle(session, 2)
        assert (session.frames_in, session.rejected) == (1, 1)
        session.connect(*asterisk.getsockname())
        for _ in range(5):
            intruder.sendto(packet.packetize(voice, 160), target)  # same host, other port
            other_host.sendto(packet.packetize(voice, 160), target)
        asterisk.sendto(packet.packetize(voice, 160), target)
        await _settle(session, 13)
        assert (session.frames_in, session.rejected) == (2, 11)
        assert session.remote == asterisk.getsockname()  # the first intruder did not latch
    finally:
        for sock in (asterisk, intruder, other_host):
            sock.close()
        await session.close()
