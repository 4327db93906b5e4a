"""The events websocket against a local ARI stand-in speaking the real protocol shape.

The stand-in is an aiohttp websocket server at ``/ari/events`` that checks basic auth and
sends what a test scripts: garbage, half events, unknown types, valid events, or a close.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from ari_app.ari.connection import AriEventStream
from ari_app.ari.events import AriEvent, GenericEvent, StasisStart
from ari_app.ari.rest import AriAuthError, basic_auth_header

VALID_START = {
    "type": "StasisStart",
    "application": "switchboard",
    "args": ["inbound", "+15550100"],
    "channel": {"id": "c1", "name": "PJSIP/twilio-1", "state": "Ring"},
}


class FakeAri:
    """Serves ``/ari/events``; each connection gets the next scripted list of messages."""

    def __init__(self, scripts: list[list[str]]) -> None:
        self.scripts = scripts
        self.connections = 0
        self.seen_apps: list[str] = []

    async def events(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Authorization") != basic_auth_header("switchboard", "secret"):
            return web.Response(status=401, text='{"message": "Authentication required"}')
        self.seen_apps.append(request.query.get("app", ""))
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        script = self.scripts[min(self.connections, len(self.scripts) - 1)]
        self.connections += 1
        for message in script:
            await ws.send_str(message)
        if self.connections < len(self.scripts):
            await ws.close()  # drop the connection: the client must reconnect
        else:
            async for _ in ws:  # hold the connection until the client goes away
                pass
        return ws


@pytest.fixture
async def fake_ari_url(unused_tcp_port: int) -> AsyncIterator[tuple[str, FakeAri]]:
    fake = FakeAri(
        [
            [
                "not json at all",
                json.dumps({"no": "type"}),
                json.dumps({"type": "StasisStart", "channel": {"name": "no id"}}),
                json.dumps({"type": "SomethingNew", "application": "switchboard", "x": 1}),
                json.dumps(VALID_START),
            ],
            [json.dumps({**VALID_START, "channel": {"id": "c2", "name": "x", "state": "Up"}})],
        ]
    )
    app = web.Application()
    app.router.add_get("/ari/events", fake.events)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", unused_tcp_port)
    await site.start()
    yield f"http://127.0.0.1:{unused_tcp_port}", fake
    await runner.cleanup()


async def test_malformed_events_are_skipped_and_stream_reconnects(
    fake_ari_url: tuple[str, FakeAri],
) -> None:
    url, fake = fake_ari_url
    stream = AriEventStream(url, "switchboard", "switchboard", "secret", reconnect_initial_s=0.05)
    received: list[AriEvent] = []
    disconnects = 0

    async def on_disconnect() -> None:
        nonlocal disconnects
        disconnects += 1

    async def handler(event: AriEvent) -> None:
        received.append(event)

    task = asyncio.create_task(stream.run(handler, on_disconnect=on_disconnect))
    try:
        async with asyncio.timeout(10):
            while len(received) < 3:
                await asyncio.sleep(0.02)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    assert stream.malformed == 3
    assert isinstance(received[0], GenericEvent) and received[0].type == "SomethingNew"
    assert isinstance(received[1], StasisStart) and received[1].channel.id == "c1"
    assert isinstance(received[2], StasisStart) and received[2].channel.id == "c2"
    assert stream.connections == 2 and disconnects >= 1
    assert fake.seen_apps[:2] == ["switchboard", "switchboard"]


async def test_bad_credentials_fail_at_once(fake_ari_url: tuple[str, FakeAri]) -> None:
    url, fake = fake_ari_url
    stream = AriEventStream(url, "switchboard", "switchboard", "wrong", reconnect_initial_s=0.05)

    async def handler(event: AriEvent) -> None:
        raise AssertionError("no event expected")

    with pytest.raises(AriAuthError):
        async with asyncio.timeout(5):
            await stream.run(handler)
    assert fake.connections == 0


async def test_unreachable_ari_is_retried_not_fatal(unused_tcp_port: int) -> None:
    stream = AriEventStream(
        f"http://127.0.0.1:{unused_tcp_port}", "switchboard", "u", "p", reconnect_initial_s=0.02
    )

    async def handler(event: AriEvent) -> None:
        raise AssertionError("no event expected")

    task = asyncio.create_task(stream.run(handler))
    await asyncio.sleep(0.5)
    assert not task.done()  # still retrying with back-off
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
