"""Every ARI REST operation the app uses, against the real PBX, with events observed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from ari_app.ari.connection import AriEventStream
from ari_app.ari.events import AriEvent, PlaybackFinished, StasisEnd, StasisStart
from ari_app.ari.rest import AriNotFound, AriRest, ignore_missing
from freepbx.versions import AsteriskVersion, parse_asterisk_version
from switchboard.settings import Settings

pytestmark = pytest.mark.pbx

APP = "switchboard-rest-test"


class Recorder:
    """Collects a test app's events and lets a test wait for one."""

    def __init__(self) -> None:
        self.events: list[AriEvent] = []
        self.changed = asyncio.Condition()

    async def handle(self, event: AriEvent) -> None:
        async with self.changed:
            self.events.append(event)
            self.changed.notify_all()

    async def wait_for(self, kind: type[AriEvent], channel_id: str = "") -> AriEvent:
        def match() -> AriEvent | None:
            for event in self.events:
                if isinstance(event, kind):
                    channel = getattr(event, "channel", None)
                    if not channel_id or (channel is not None and channel.id == channel_id):
                        return event
            return None

        async with asyncio.timeout(10), self.changed:
            await self.changed.wait_for(lambda: match() is not None)
        found = match()
        assert found is not None
        return found


@pytest.fixture
async def test_app(ari_settings: Settings) -> AsyncIterator[Recorder]:
    assert ari_settings.ari.password is not None
    stream = AriEventStream(
        ari_settings.ari_url,
        APP,
        ari_settings.ari.user,
        ari_settings.ari.password.get_secret_value(),
    )
    recorder = Recorder()
    task = asyncio.create_task(stream.run(recorder.handle))
    async with asyncio.timeout(10):
        await stream.connected.wait()
    yield recorder
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_asterisk_info_and_chan_websocket(ari: AriRest) -> None:
    info = await ari.asterisk_info()
    assert parse_asterisk_version(info.version) >= AsteriskVersion(22, 6, 0)
    assert await ari.module_loaded("chan_websocket.so")
    assert not await ari.module_loaded("no_such_module.so")


async def test_global_variables_and_device_states(ari: AriRest) -> None:
    await ari.set_global_var("SWITCHBOARD_TEST", "42")
    assert await ari.get_global_var("SWITCHBOARD_TEST") == "42"
    await ari.set_device_state("sbtest-agent", "NOT_INUSE")
    assert await ari.get_device_state("sbtest-agent") == "NOT_INUSE"
    await ari.set_device_state("sbtest-agent", "UNAVAILABLE")
    assert await ari.get_device_state("sbtest-agent") == "UNAVAILABLE"


async def test_channel_lifecycle_playback_bridge_and_continue(
    ari: AriRest, test_app: Recorder
) -> None:
    channel = await ari.originate(
        "Local/wait@switchboard-test", app=APP, app_args="probe", channel_id="sbtest-chan-1"
    )
    try:
        start = await test_app.wait_for(StasisStart, channel.id)
        assert isinstance(start, StasisStart) and start.args == ("probe",)
        await ari.answer(channel.id)
        await ari.set_channel_var(channel.id, "SWITCHBOARD_SUMMARY", "wants sales")
        assert await ari.get_channel_var(channel.id, "SWITCHBOARD_SUMMARY") == "wants sales"

        playback = await ari.play(f"channels/{channel.id}", "sound:demo-congrats", "sbtest-pb-1")
        await asyncio.sleep(0.3)
        await ari.stop_playback(playback.id)
        finished = await test_app.wait_for(PlaybackFinished)
        assert isinstance(finished, PlaybackFinished) and finished.playback.state == "done"

        bridge = await ari.create_bridge("mixing", bridge_id="sbtest-bridge-1")
        await ari.add_channel(bridge.id, channel.id)
        assert channel.id in [c for b in await ari.list_bridges() for c in b.channels]
        await ari.destroy_bridge(bridge.id)
        # Asterisk tears the bridge down after answering the DELETE: until it is gone from
        # the list, a second DELETE is a 409 ("not in Stasis application"), then a 404.
        async with asyncio.timeout(5):
            while bridge.id in [b.id for b in await ari.list_bridges()]:
                await asyncio.sleep(0.05)
        with pytest.raises(AriNotFound):
            await ari.destroy_bridge(bridge.id)

        await ari.continue_in_dialplan(channel.id, "switchboard-test", "echo", 1)
        await test_app.wait_for(StasisEnd, channel.id)
    finally:
        await ignore_missing(ari.hangup(channel.id))
    with pytest.raises(AriNotFound):
        await ari.get_channel(channel.id)


async def test_missing_resources_are_not_found(ari: AriRest) -> None:
    with pytest.raises(AriNotFound):
        await ari.hangup("no-such-channel")
    await ignore_missing(ari.hangup("no-such-channel"))  # cleanup treats 404 as done
