"""Malformed and hostile input at the telephony edge: ARI events that are not what ARI sends
(over a real websocket to the real event stream), events with odd arguments reaching the call
manager, hand-off variables built from a hostile name, and a SIP caller whose From header
carries injection text (real Asterisk, SIPp)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSMsgType, web

from ari_app.ari.connection import AriEventStream
from ari_app.ari.events import AriEvent, Channel, StasisStart, parse_event
from ari_app.call.manager import CallManager
from ari_app.call.voice import set_handoff_variables
from ari_app.conversation.agent_port import TransferRequest

GOOD = {
    "type": "StasisStart",
    "application": "switchboard",
    "timestamp": "2026-12-05T10:00:00.000+0000",
    "args": ["inbound", "+15550100"],
    "channel": {"id": "ok-1", "name": "PJSIP/x-1", "state": "Ring"},
}
HOSTILE: list[str] = [
    "not json at all",
    "[1, 2, 3]",
    '"a string"',
    json.dumps({"type": "StasisStart"}),
    json.dumps({**GOOD, "channel": None}),
    json.dumps({**GOOD, "channel": {"id": ["list"], "name": 7}}),
    json.dumps({**GOOD, "args": "inbound,+15550100"}),
    json.dumps({**GOOD, "args": [{"nested": True}] * 3}),
    json.dumps({**GOOD, "channel": {**GOOD["channel"], "dialplan": {"priority": "abc"}}}),
    json.dumps({**GOOD, "channel": {**GOOD["channel"], "caller": "not an object"}}),
    json.dumps({"type": "ChannelDtmfReceived", "channel": {"id": "x"}}),
    json.dumps({"type": "PlaybackFinished", "playback": {"target_uri": 12}}),
    json.dumps({"type": "SomethingNew", "application": "switchboard", "x": "y" * 100_000}),
    json.dumps({**GOOD, "channel": {**GOOD["channel"], "channelvars": ["a", "b"]}}),
]


async def test_hostile_ari_events_over_a_real_websocket_are_skipped_not_fatal() -> None:
    async def ari(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        for frame in HOSTILE:
            await ws.send_str(frame)
        await ws.send_bytes(b"\x00\xff binary")
        await ws.send_str(json.dumps(GOOD))  # the stream is still alive after all that
        async for msg in ws:
            if msg.type == WSMsgType.CLOSE:
                break
        return ws

    app = web.Application()
    app.router.add_get("/ari/events", ari)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    stream = AriEventStream(f"http://127.0.0.1:{port}", "switchboard", "u", "p")
    received: list[AriEvent] = []
    done = asyncio.Event()

    async def handler(event: AriEvent) -> None:
        received.append(event)
        if isinstance(event, StasisStart) and event.channel.id == "ok-1":
            done.set()

    task = asyncio.create_task(stream.run(handler))
    try:
        async with asyncio.timeout(10):
            await done.wait()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await runner.cleanup()
    assert not task.done() or task.cancelled()
    assert stream.malformed >= 8 and stream.connections == 1  # skipped, never reconnected
    assert isinstance(received[-1], StasisStart)


class _Recorder:
    """Stands in for a call object: records the events it is given."""

    def __init__(self, channel: Channel, args: tuple[str, ...]) -> None:
        self.args = args
        self.events: asyncio.Queue[AriEvent] = asyncio.Queue()
        self.stats: Any = None

    def owns(self, channel_id: str) -> bool:
        return False

    async def run(self) -> Any:
        return self.stats


async def test_odd_stasis_arguments_start_no_call_or_a_harmless_one() -> None:
    made: list[_Recorder] = []

    def factory(channel: Channel, args: tuple[str, ...]) -> _Recorder:
        made.append(_Recorder(channel, args))
        return made[-1]

    manager = CallManager(factory)  # type: ignore[arg-type]
    for args in [(), ("reminder", "1", "2"), ("x" * 10_000,), ("../../etc",)]:
        event = parse_event({**GOOD, "args": list(args), "channel": {"id": f"c{len(args)}"}})
        await manager.handle(event)
    assert made == []  # no kind of call nobody registered
    await manager.handle(parse_event({**GOOD, "args": ["inbound"]}))  # no DID at all
    assert [m.args for m in made] == [()]  # served as "not set up", not crashed


async def test_a_hostile_name_reaches_asterisk_as_a_plain_name() -> None:
    class Rest:
        def __init__(self) -> None:
            self.values: dict[str, str] = {}

        async def set_channel_var(self, channel_id: str, name: str, value: str) -> None:
            self.values[name] = value

    rest = Rest()
    name = 'Eve" <sip:011447@evil>, ${SHELL(id)} $[1+1]\nX-Inject: 1'
    await set_handoff_variables(rest, "c-1", TransferRequest("sales", "402"), name)  # type: ignore[arg-type]
    shown = rest.values["CALLERID(name)"]
    assert not set(shown) & set('"<>,${}[]()\n:'), shown
    assert not set(rest.values["__SWITCHBOARD_CALLER_NAME"]) & set('"<>${}[]\n')


@pytest.mark.pbx
@pytest.mark.slow
async def test_a_caller_with_injection_in_its_from_header_is_served_safely(
    signin_app: Any, ari: Any, tmp_path: Path
) -> None:
    from switchboard.callers.sipp import run_sipp
    from tests.fixtures.assistant import call_record
    from tests.fixtures.pbx import wait_no_leftovers
    from tests.security.signin_stack import keyed_scenario

    app, settings = signin_app
    scenario = keyed_scenario([], hang_up_after_s=6.0).replace(
        '"SIPp" <sip:+1555000[call_number]@',
        '"Robert\\" ${SHELL(id)} <x>; DROP TABLE users;--" <sip:+1555%27or%271=1@',
    )
    before = len(app.calls.finished)
    result = await asyncio.to_thread(
        run_sipp,
        tmp_path,
        scenario,
        target=f"127.0.0.1:{settings.pbx.sip_port}",
        service=settings.pbx.demo_did,
        calls=1,
        concurrent=1,
        rate_per_s=1,
        timeout_s=40,
    )
    stats = (await app.calls.wait_finished(before + 1, 40))[-1]
    assert result.successful == 1, result.output[-1500:]
    assert stats.outcome != "error" and "user number" in str(stats.turns[0].get("said_text"))
    record = await call_record(settings, stats.channel_id)
    assert record.caller_number.startswith("+1555")
    await wait_no_leftovers(ari)


from tests.security.signin_stack import signin_app  # noqa: E402  (fixture for the last test)

__all__ = ["signin_app"]
