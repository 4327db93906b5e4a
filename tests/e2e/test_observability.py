"""Sentry and /metrics on a real call: Sentry's SDK sends to a local envelope receiver."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import sentry_sdk
from aiohttp import web
from pydantic import SecretStr

from ari_app.app import SwitchboardApp
from ari_app.observe.sentry import SentryObserver, init_sentry
from switchboard.callers.baresip import BaresipCaller, free_port
from switchboard.callers.script import Pause, Speak, Step, render_script
from switchboard.settings import Settings
from tests.fixtures.pbx import scripted_call, wait_no_leftovers

pytestmark = [pytest.mark.pbx, pytest.mark.slow]


@pytest.fixture
async def envelopes() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """A local Sentry ingest stand-in: ``POST /api/42/envelope/``; yields (dsn, items)."""
    items: list[dict[str, Any]] = []

    async def envelope(request: web.Request) -> web.Response:
        body = await request.read()
        if body[:2] == b"\x1f\x8b":  # aiohttp may already have decompressed it
            body = gzip.decompress(body)
        lines = body.decode().splitlines()
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            item = json.loads(payload) if payload.startswith("{") else {}
            items.append({"type": json.loads(header).get("type"), "payload": item, "raw": payload})
        return web.Response(text="{}")

    app = web.Application()
    app.router.add_post("/api/42/envelope/", envelope)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://public@127.0.0.1:{port}/42", items
    await runner.cleanup()


async def test_one_transaction_per_call_with_stage_spans_and_a_scrubbed_timeout_event(
    voice_app: SwitchboardApp,
    ari_settings: Settings,
    make_caller: Callable[..., BaresipCaller],
    speak: Callable[[str, int], bytes],
    envelopes: tuple[str, list[dict[str, Any]]],
    tmp_path: Path,
) -> None:
    dsn, items = envelopes
    observe = ari_settings.observe.model_copy(update={"sentry_dsn": SecretStr(dsn)})
    assert init_sentry(observe)
    observer = SentryObserver()
    voice_app.env.observer.add(observer)
    try:
        steps: list[Step] = [
            Pause(4.5),
            Speak("My PIN is four eight two one."),
            Pause(5.0),
            Speak("Please check the slow tool."),
            Pause(7.0),
        ]
        script = render_script(steps, tmp_path / "mic.wav", speak)
        before = len(voice_app.calls.finished)
        caller = make_caller(script.wav)
        caller.start(
            dial=f"sip:{ari_settings.pbx.demo_did}@127.0.0.1:{ari_settings.pbx.sip_port}",
            seconds=40,
        )
        await asyncio.to_thread(caller.wait_established)
        await asyncio.sleep(script.seconds)
        await asyncio.to_thread(caller.hangup)
        stats = (await voice_app.calls.wait_finished(before + 1, 30))[-1]
        await asyncio.to_thread(sentry_sdk.flush, 10)
    finally:
        voice_app.env.observer.observers.remove(observer)
        sentry_sdk.init()  # Sentry off again for the rest of the session

    transactions = [i["payload"] for i in items if i["type"] == "transaction"]
    errors = [i["payload"] for i in items if i["type"] == "event"]
    mine = [t for t in transactions if t.get("tags", {}).get("call_id") == stats.channel_id]
    assert len(mine) == 1, [t.get("tags") for t in transactions]
    ops = {span["op"] for span in mine[0]["spans"]}
    assert {"stt", "agent", "tts", "turn", "tool", "call.state"} <= ops, (
        ops,
        [t["caller_text"] for t in stats.turns],
    )
    assert all("latency_ms" in span.get("data", {}) for span in mine[0]["spans"])
    timeouts = [e for e in errors if e.get("tags", {}).get("switchboard.error_code") == "timeout"]
    assert timeouts, errors
    assert timeouts[0]["tags"]["call_id"] == stats.channel_id
    assert timeouts[0]["contexts"]["call"]["call_id"] == stats.channel_id
    raw = " ".join(i["raw"] for i in items).lower()
    assert "4821" not in raw and "four eight two one" not in raw


async def test_metrics_endpoint_counts_calls_and_stage_latencies(
    voice_app: SwitchboardApp,
    ari_settings: Settings,
    make_caller: Callable[..., BaresipCaller],
    speak: Callable[[str, int], bytes],
    ari: Any,
    tmp_path: Path,
) -> None:
    port = voice_app.settings.observe.metrics_port
    steps: list[Step] = [Pause(4.5), Speak("What's on my list?"), Pause(5.0)]
    await scripted_call(voice_app, ari_settings, make_caller, speak, tmp_path, steps)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/metrics") as resp:
            text = await resp.text()
        async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
            assert resp.status == 200
    assert 'switchboard_calls_total{outcome="completed"}' in text
    assert 'switchboard_call_states_total{state="ended",trigger="hangup"}' in text
    count = next(
        float(line.split()[-1])
        for line in text.splitlines()
        if line.startswith('switchboard_stage_latency_seconds_count{stage="stt"}')
    )
    assert count >= 1
    await wait_no_leftovers(ari)
