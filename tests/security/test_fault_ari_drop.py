"""The ARI events websocket drops while Asterisk keeps the channels (a network blip between
the app and the PBX, injected by a proxy that cuts only ``/ari/events``; media and REST go
straight to Asterisk). Calls carry on; on reconnect a call whose caller hung up meanwhile
ends and leaves nothing behind."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ari_app.app import SwitchboardApp
from ari_app.ari.rest import AriRest
from switchboard.callers.sipp import SippResult, run_sipp, uac_scenario
from switchboard.settings import Settings
from tests.fixtures.pbx import wait_no_leftovers
from tests.security.faultproxy import FaultProxy

pytestmark = [pytest.mark.pbx, pytest.mark.slow]


@contextlib.asynccontextmanager
async def events_through(app: SwitchboardApp) -> AsyncIterator[FaultProxy]:
    """The app's ARI events websocket, rerouted through a fault proxy for the test."""
    original = app.events.url
    parts = urlsplit(original)
    proxy = await FaultProxy(
        (parts.hostname or "127.0.0.1", parts.port or 80), only=b"GET /ari/events"
    ).start()
    try:
        app.events.url = original.replace(parts.netloc, f"127.0.0.1:{proxy.port}")
        await _reconnected(app)
        assert proxy.links, "the events websocket did not go through the proxy"
        yield proxy
    finally:
        proxy.refusing = False
        app.events.url = original
        await _reconnected(app)
        await proxy.close()


async def _reconnected(app: SwitchboardApp, *, cause: object = None) -> None:
    before = app.events.connections
    if cause is None:
        await app.events.reconnect()
    async with asyncio.timeout(30):
        while app.events.connections == before or not app.events.connected.is_set():
            await asyncio.sleep(0.05)


def _call(workdir: Path, settings: Settings, hold_ms: int) -> SippResult:
    return run_sipp(
        workdir,
        uac_scenario(hold_ms),
        target=f"127.0.0.1:{settings.pbx.sip_port}",
        service=settings.pbx.demo_did,
        calls=1,
        concurrent=1,
        rate_per_s=1,
        timeout_s=40,
    )


async def _in_call(app: SwitchboardApp) -> str:
    async with asyncio.timeout(15):
        while not app.calls.in_progress():
            await asyncio.sleep(0.05)
    return app.calls.in_progress()[0].stats.channel_id


async def test_calls_carry_on_through_an_events_websocket_drop(
    running_app: SwitchboardApp, ari: AriRest, ari_settings: Settings, tmp_path: Path
) -> None:
    app = running_app
    async with events_through(app) as proxy:
        before = len(app.calls.finished)
        caller = asyncio.create_task(asyncio.to_thread(_call, tmp_path, ari_settings, 9000))
        channel_id = await _in_call(app)
        await asyncio.sleep(2.0)
        frames = app.calls.in_progress()[0].stats.frames_in
        connections = app.events.connections
        assert proxy.sever() == 1  # the blip
        async with asyncio.timeout(30):
            while app.events.connections == connections or not app.events.connected.is_set():
                await asyncio.sleep(0.05)
        assert app.calls.active == 1  # nobody hung up the call
        assert (await ari.get_channel(channel_id)).state == "Up"
        result = await caller
        finished = await app.calls.wait_finished(before + 1, 20)
    assert result.successful == 1, result.output[-1500:]  # the caller hung up, not us
    stats = finished[-1]
    assert stats.channel_id == channel_id and stats.outcome == "completed"
    assert stats.frames_in > frames + 100  # audio kept flowing after the drop
    await wait_no_leftovers(ari)


async def test_a_call_whose_caller_left_during_the_gap_ends_on_reconnect(
    running_app: SwitchboardApp, ari: AriRest, ari_settings: Settings, tmp_path: Path
) -> None:
    app = running_app
    async with events_through(app) as proxy:
        before = len(app.calls.finished)
        caller = asyncio.create_task(asyncio.to_thread(_call, tmp_path, ari_settings, 3000))
        channel_id = await _in_call(app)
        proxy.refusing = True  # the app cannot get back in for a while
        proxy.sever()
        result = await caller  # the caller hangs up while the app hears nothing of it
        assert result.successful == 1
        await asyncio.sleep(1.0)
        assert app.calls.active == 1  # its StasisEnd went missing in the gap
        proxy.refusing = False
        finished = await app.calls.wait_finished(before + 1, 30)
    assert finished[-1].channel_id == channel_id
    await wait_no_leftovers(ari)  # media channel and bridge cleaned up after the reconnect
