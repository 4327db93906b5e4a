"""The database goes down or hangs (real PostgreSQL behind a fault proxy, real Asterisk, SIPp
callers): at the start of a call and in the middle of signing in, the caller hears an apology
and is put through to a person instead of silence; once the database is back (every pooled
connection cut, as by a restart) the next caller is served as usual."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from ari_app.app import SwitchboardApp
from ari_app.ari.rest import AriRest
from ari_app.call.assistant import Assistant
from ari_app.call.base import CallStats
from switchboard.callers.sipp import SippResult, run_sipp
from switchboard.settings import Settings
from tests.fixtures.pbx import agent_phone, wait_no_leftovers
from tests.fixtures.postgres import create_database, drop_database
from tests.security.faultproxy import FaultProxy
from tests.security.signin_stack import keyed_scenario

pytestmark = [pytest.mark.pbx, pytest.mark.postgres, pytest.mark.slow]

ALICE_PHONE, ALICE_PIN = "+15550111", "4821"
APOLOGY = "I can't check sign-ins right now"


@pytest.fixture
async def pg_app(
    voice_app: SwitchboardApp, ari_settings: Settings, postgres_server_url: str
) -> AsyncIterator[tuple[SwitchboardApp, Settings, FaultProxy]]:
    """The app signing callers in against PostgreSQL reached through a fault proxy."""
    from mcp_tools.app import ToolsApp
    from mcp_tools.db import migrate
    from mcp_tools.db.session import Database
    from mcp_tools.seed import seed_demo

    url = await create_database(postgres_server_url)
    db = Database(url)
    await migrate.upgrade(db)
    await seed_demo(db, bcrypt_rounds=4)
    await db.dispose()
    real = make_url(url)
    proxy = await FaultProxy((real.host or "127.0.0.1", real.port or 5432)).start()
    proxied = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    settings = ari_settings.model_copy(
        update={
            "database": ari_settings.database.model_copy(
                update={
                    "url": SecretStr(proxied),
                    "connect_timeout_s": 2.0,
                    "statement_timeout_s": 3.0,
                }
            ),
            "tools": ari_settings.tools.model_copy(update={"bcrypt_rounds": 4}),
            "reminders": ari_settings.reminders.model_copy(update={"enabled": False}),
            "call": ari_settings.call.model_copy(
                update={"data_timeout_s": 4.0, "fallback_queue": "400", "queue_wait_s": 3}
            ),
        }
    )
    tools = ToolsApp.from_settings(settings)
    saved = voice_app.assistant
    voice_app.assistant = Assistant(settings, tools)
    try:
        yield voice_app, settings, proxy
    finally:
        voice_app.assistant = saved
        proxy.refusing = proxy.hanging = False
        await tools.db.dispose()
        await proxy.close()
        await drop_database(postgres_server_url, url)


def _call(tmp_path: Path, settings: Settings, scenario: str) -> SippResult:
    return run_sipp(
        tmp_path,
        scenario,
        target=f"127.0.0.1:{settings.pbx.sip_port}",
        service=settings.pbx.demo_did,
        calls=1,
        concurrent=1,
        rate_per_s=1,
        timeout_s=60,
    )


async def _first_call(app: SwitchboardApp, before: int) -> CallStats:
    """The caller's own call (a queue fail-over may come back into the app after it)."""
    await app.calls.wait_finished(before + 1, 60)
    return next(s for s in list(app.calls.finished)[before:] if s.args[:1] != ("queue-failover",))


def _said(stats: CallStats) -> str:
    return " ".join(str(t.get("said_text", "")) for t in stats.turns)


async def test_database_down_at_the_start_of_a_call(
    pg_app: tuple[SwitchboardApp, Settings, FaultProxy], ari: AriRest, tmp_path: Path
) -> None:
    app, settings, proxy = pg_app
    person = await agent_phone(settings, tmp_path, "2101")  # someone in the general queue
    proxy.refusing = True
    proxy.sever()  # the database is gone
    before = len(app.calls.finished)
    scenario = keyed_scenario([], hang_up_after_s=14.0, caller_id=ALICE_PHONE)
    try:
        calling = asyncio.create_task(asyncio.to_thread(_call, tmp_path, settings, scenario))
        await asyncio.to_thread(person.wait_incoming_established, 30)  # a person took it
        await calling
    finally:
        await asyncio.to_thread(person.stop)
    stats = await _first_call(app, before)
    said = _said(stats)
    assert APOLOGY in said and "connect you to someone" in said, stats.turns
    assert "transferring" in stats.states and stats.outcome == "transferred", stats.states
    await app.calls.wait_finished(len(app.calls.finished), 20)
    await wait_no_leftovers(ari, timeout_s=20)


async def test_database_hangs_while_the_caller_signs_in(
    pg_app: tuple[SwitchboardApp, Settings, FaultProxy], ari: AriRest, tmp_path: Path
) -> None:
    app, settings, proxy = pg_app
    person = await agent_phone(settings, tmp_path, "2101")
    before = len(app.calls.finished)
    scenario = keyed_scenario([(6.0, ALICE_PIN + "#")], hang_up_after_s=18.0, caller_id=ALICE_PHONE)
    try:
        calling = asyncio.create_task(asyncio.to_thread(_call, tmp_path, settings, scenario))
        async with asyncio.timeout(15):  # greeted: the database answered at the start
            while not any(t.get("said_text") for c in app.calls.in_progress() for t in _turns(c)):
                await asyncio.sleep(0.1)
        proxy.hanging = True  # now it stops answering, mid sign-in
        hung_at = time.monotonic()
        await asyncio.to_thread(person.wait_incoming_established, 30)
        await calling
    finally:
        await asyncio.to_thread(person.stop)
    stats = await _first_call(app, before)
    said = _said(stats)
    assert "PIN" in said and APOLOGY in said, stats.turns
    assert "transferring" in stats.states and stats.outcome == "transferred", said
    keyed = next(t for t in stats.turns if t.get("caller_text") == "[keyed]")
    told = dict((s, at) for s, at in keyed["stage_times"]).get("first_audio_sent")
    assert told is not None and told - hung_at < 6.0 + 4.0 + 3.0  # keys, data timeout, speech
    assert ALICE_PIN not in str(stats.turns)
    proxy.hanging = False
    await wait_no_leftovers(ari, timeout_s=20)


def _turns(call: object) -> list[dict[str, object]]:
    conversation = getattr(call, "conversation", None)
    timelines = getattr(conversation, "timelines", []) if conversation is not None else []
    return [t.as_dict() for t in timelines]


async def test_after_a_database_restart_the_next_caller_is_served(
    pg_app: tuple[SwitchboardApp, Settings, FaultProxy], ari: AriRest, tmp_path: Path
) -> None:
    app, settings, proxy = pg_app
    warm = keyed_scenario([], hang_up_after_s=5.0, caller_id=ALICE_PHONE)
    before = len(app.calls.finished)
    await asyncio.to_thread(_call, tmp_path / "warm", settings, warm)  # fills the pool
    await _first_call(app, before)
    assert proxy.sever() > 0  # a restart: every pooled connection is dead
    before = len(app.calls.finished)
    scenario = keyed_scenario([(5.0, "2356#")], hang_up_after_s=8.0, caller_id=ALICE_PHONE)
    await asyncio.to_thread(_call, tmp_path / "after", settings, scenario)
    stats = await _first_call(app, before)
    said = _said(stats)
    assert APOLOGY not in said and "didn't match" in said, stats.turns  # checked as usual
    await wait_no_leftovers(ari, timeout_s=20)
