"""A handed-off call rings the console with the screen-pop; a paused agent is skipped by the
queue; supervisors see statuses and charts on the dashboard."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ari_app.ari.rest import AriRest, ignore_missing
from mcp_tools.audit import record
from mcp_tools.db.base import utcnow
from mcp_tools.db.models import Call, CallTurn, Todo
from mcp_tools.policy import Actor, Role
from mcp_tools.services.calls import CallRecords
from switchboard.callers.baresip import BaresipCaller
from switchboard.settings import Settings
from tests.browser.calls import call_state, start_caller
from tests.browser.fixtures import (
    AGENT_A,
    AGENT_B,
    SUPERVISOR,
    ConsoleServer,
    sign_in,
    sign_in_agent,
)
from tests.fixtures.pbx import wait_no_leftovers

pytestmark = [pytest.mark.pbx, pytest.mark.slow]

Opener = Callable[[], Awaitable[Any]]
Maker = Callable[..., BaresipCaller]
SUMMARY = "Maria wants to upgrade her plan to Pro and asked for a quote by Friday."
MARIA = "104"


async def _handed_off_record(server: ConsoleServer) -> str:
    """A call record as the assistant leaves it when it transfers to sales."""
    from webrtc_console.directory import Directory

    maria = await Directory(server.db).person("demo", MARIA)
    assert maria is not None
    call_id = f"test-{uuid.uuid4().hex[:12]}"
    calls = CallRecords(server.db)
    tid = server.tenant_id
    await calls.start(tid, call_id, "+15550114", "+15550100")
    await calls.identify(tid, call_id, maria.user_id)
    await calls.append_turn(tid, call_id, "assistant", "Hello, this is Switchboard.")
    await calls.append_turn(tid, call_id, "caller", "Remind me to send the contract tomorrow.")
    await calls.append_turn(tid, call_id, "assistant", "Done: a reminder for tomorrow at 9.")
    await calls.append_turn(tid, call_id, "caller", "Now I need a human in sales please.")
    await calls.append_turn(tid, call_id, "assistant", "Connecting you to sales.")
    actor = Actor(tid, maria.user_id, Role.MEMBER, channel="voice", call_id=call_id, name="Maria")
    async with server.db.scoped(tid) as session, session.begin():
        record(session, actor, "create_reminder", "reminder", 7, detail={"text": "send contract"})
        record(session, actor, "transfer_to_department", "department", "sales")
    await calls.finish(tid, call_id, "transferred", SUMMARY, transferred_to="sales")
    return call_id


async def _ring_queue_with_header(ari: AriRest, queue: str, call_id: str) -> str:
    """Put a caller into a department queue carrying the hand-off header, as the assistant
    does (``HASH(__SIPHEADERS,X-Switchboard-Call-Id)``, then ``ext-queues,<queue>,1``)."""
    channel = await ari.request(
        "POST",
        "/channels",
        params={
            "endpoint": f"Local/{queue}@ext-queues",
            "context": "switchboard-test",
            "extension": "wait",
            "priority": 1,
            "callerId": "Maria Garcia <+15550114>",
        },
        json={
            "variables": {
                "HASH(__SIPHEADERS,X-Switchboard-Call-Id)": call_id,
                "__SWITCHBOARD_CALL_ID": call_id,
            }
        },
    )
    return str(channel["id"])


async def test_handed_off_call_rings_with_the_screen_pop(
    open_page: Opener, console_server: ConsoleServer, ari: AriRest, images_dir: Path
) -> None:
    call_id = await _handed_off_record(console_server)
    page = await sign_in_agent(open_page, AGENT_A)
    local = await _ring_queue_with_header(ari, "402", call_id)
    try:
        await call_state(page, "ringing")
        pop = page.locator("#screen-pop")
        await page.wait_for_selector("#pop-summary")
        assert await page.locator("#pop-name").inner_text() == "Maria Garcia"
        assert SUMMARY in await page.locator("#pop-summary").inner_text()
        meta = await page.locator("#pop-meta").inner_text()
        assert "Sales" in meta and call_id in meta
        transcript = await page.locator("#pop-transcript").inner_text()
        assert "Now I need a human in sales please." in transcript
        actions = await page.locator("#pop-actions").inner_text()
        assert "create_reminder" in actions and "transfer_to_department" in actions
        assert await pop.get_attribute("data-call-id") == call_id
        await page.screenshot(path=str(images_dir / "console-screen-pop.png"))
        await page.click("#answer")
        await call_state(page, "active")
        await asyncio.sleep(1.0)
        await page.screenshot(path=str(images_dir / "console-in-call.png"))
        await page.click("#hangup")
        await call_state(page, "ended")
    finally:
        await ignore_missing(ari.hangup(local))
    await wait_no_leftovers(ari)


async def test_screen_pop_of_another_tenants_call_is_not_shown(
    open_page: Opener, console_server: ConsoleServer
) -> None:
    page = await sign_in_agent(open_page, AGENT_A)
    status = await page.evaluate(
        "() => fetch('/api/calls/' + encodeURIComponent('no-such-call')).then(r => r.status)"
    )
    assert status == 404


async def test_paused_agent_is_skipped_by_the_queue_and_supervisor_sees_it(
    open_page: Opener,
    console_server: ConsoleServer,
    make_caller: Maker,
    ari_settings: Settings,
    ari: AriRest,
    tmp_path: Path,
    images_dir: Path,
) -> None:
    await _dashboard_history(console_server)
    page_a = await sign_in_agent(open_page, AGENT_A)
    page_b = await sign_in_agent(open_page, AGENT_B)
    await page_a.select_option("#status-select", "paused")
    await page_a.fill("#status-reason", "lunch")
    await page_a.click("#status-apply")
    await page_a.wait_for_selector("#status-now[data-status=paused]")

    caller = start_caller(make_caller, ari_settings, tmp_path, "401")
    try:
        await call_state(page_b, "ringing")
        await asyncio.sleep(3.0)  # ringall: an available A would ring alongside B by now
        assert await page_a.locator("#call-state").get_attribute("data-state") == "idle"

        boss = await open_page()
        await sign_in(boss, SUPERVISOR)
        await boss.wait_for_url("**/console")
        await boss.goto("/dashboard")
        await boss.wait_for_selector("body[data-loaded=yes]")
        agents = await boss.locator("#agents").inner_text()
        row = next(line for line in agents.splitlines() if AGENT_A.name in line)
        assert "paused" in row and "lunch" in row
        assert "401" in await boss.locator("#live-calls").inner_text()
        assert await boss.locator("#queue-waits svg rect").count() == 1  # the caller waits
        assert await boss.locator("#calls-per-hour svg rect").count() > 0
        assert await boss.locator("#workload svg rect").count() > 0
        callbacks = await boss.locator("#callbacks").inner_text()
        assert "Support" in callbacks and "Call back Alice Smith on +15550111" in callbacks
        assert "printer on fire" in callbacks
        assert "stt" in (await boss.locator("#latency").inner_text()).lower()
        await boss.screenshot(path=str(images_dir / "dashboard.png"), full_page=True)
    finally:
        await asyncio.to_thread(caller.hangup)
    await call_state(page_b, "ended")
    await wait_no_leftovers(ari)

    # Available again: the queue rings A at once.
    await page_a.select_option("#status-select", "available")
    await page_a.click("#status-apply")
    await page_a.wait_for_selector("#status-now[data-status=available]")
    caller2 = start_caller(make_caller, ari_settings, tmp_path, "401", name="caller2")
    try:
        await call_state(page_a, "ringing")
    finally:
        await asyncio.to_thread(caller2.hangup)
    await wait_no_leftovers(ari)


async def test_agent_cannot_open_the_dashboard(open_page: Opener) -> None:
    page = await sign_in_agent(open_page, AGENT_A)
    await page.goto("/dashboard")
    assert page.url.endswith("/console")
    status = await page.evaluate("() => fetch('/api/dashboard').then(r => r.status)")
    assert status == 403


async def _dashboard_history(server: ConsoleServer) -> None:
    """Some finished calls over the last hours, with per-stage timings (for the charts)."""
    now = utcnow()
    outcomes = ["completed", "completed", "transferred", "completed", "abandoned", "transferred"]
    async with server.db.scoped(server.tenant_id) as session, session.begin():
        for i, outcome in enumerate(outcomes * 3):
            started = now - timedelta(hours=i % 9, minutes=5 * i)
            call = Call(
                call_id=f"hist-{uuid.uuid4().hex[:10]}",
                caller_number="+15550111",
                did="+15550100",
                started_at=started,
                ended_at=started + timedelta(minutes=2),
                outcome=outcome,
            )
            session.add(call)
            await session.flush()
            session.add(
                CallTurn(
                    call_pk=call.id,
                    seq=1,
                    speaker="caller",
                    text="hello",
                    timings={
                        "stt_ms": 180.0 + 5 * i,
                        "agent_first_sentence_ms": 420.0 + i,
                        "tts_first_audio_ms": 150.0 + i,
                        "speech_end_to_first_audio_ms": 1250.0 + 10 * i,
                    },
                )
            )
    from webrtc_console.directory import Directory

    directory = Directory(server.db)
    people = [await directory.person("demo", n) for n in ("101", "103", "104")]
    async with server.db.scoped(server.tenant_id) as session, session.begin():
        for k, person in enumerate(people):
            assert person is not None
            for j in range(2 + 2 * k):
                session.add(
                    Todo(
                        owner_id=person.user_id,
                        title=f"follow-up {j}",
                        due_at=now + timedelta(days=-1 if j % 2 else 2),
                    )
                )
    from mcp_tools.services.callbacks import CallbackRequests

    alice = people[0]
    assert alice is not None
    await CallbackRequests(server.db).request(
        server.tenant_id, alice.user_id, "support", "+15550111", reason="printer on fire"
    )


async def test_another_tenants_admin_sees_none_of_this_tenant(
    open_page: Opener, console_server: ConsoleServer
) -> None:
    from mcp_tools.services.admin import Provisioning, operator

    prov = Provisioning(console_server.db, 4)
    slug = f"other-{uuid.uuid4().hex[:6]}"
    other = await prov.create_tenant("Other Co", slug, "UTC")
    boss = await prov.create_user(operator(other.id), "Olga Other", "101", role="owner")
    console_server.accounts.set_password(other.id, boss.id, "another long password")
    demo_call = await _handed_off_record(console_server)

    page = await open_page()
    await page.goto("/login")
    await page.fill("#tenant", slug)
    await page.fill("#user", "101")
    await page.fill("#password", "another long password")
    await page.click("#sign-in")
    await page.wait_for_url("**/console")
    assert "Olga Other" in await page.locator("#who").inner_text()
    status = await page.evaluate(f"() => fetch('/api/calls/{demo_call}').then(r => r.status)")
    assert status == 404  # the demo tenant's call does not exist for this tenant
    dashboard = await page.evaluate("() => fetch('/api/dashboard').then(r => r.json())")
    assert dashboard["agents"] == [] and dashboard["workload"] == []
    assert dashboard["callbacks"] == []  # the demo tenant's callbacks stay there
    assert sum(dashboard["outcomes"].values()) == 0
    directory = await page.evaluate("() => fetch('/api/directory').then(r => r.json())")
    assert directory["agents"] == [] and directory["queues"] == []
    # Same user number, other tenant: the demo password does not open it, and vice versa.
    resp = await page.evaluate(
        """() => fetch('/api/login', {method: 'POST', headers: {'Content-Type':
        'application/json'}, body: JSON.stringify({tenant: 'demo', user: '101',
        password: 'another long password'})}).then(r => r.status)"""
    )
    assert resp == 401
