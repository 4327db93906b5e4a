"""Sign-in, registration over WSS 7443, and the sign-in faults, in a real browser."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from ari_app.ari.rest import AriRest
from tests.browser.fixtures import AGENT_A, Agent, ConsoleServer, sign_in, sign_in_agent

pytestmark = [pytest.mark.pbx, pytest.mark.slow]

Opener = Callable[[], Awaitable[Any]]


async def test_agent_signs_in_and_registers_over_wss_7443(
    open_page: Opener, console_server: ConsoleServer, ari: AriRest, images_dir: Path
) -> None:
    page = await sign_in_agent(open_page, AGENT_A)
    me = await page.evaluate("() => fetch('/api/me').then(r => r.json())")
    assert me["sip"]["ws_url"].startswith("wss://") and ":7443/ws" in me["sip"]["ws_url"]
    assert me["name"] == AGENT_A.name and me["departments"]
    endpoint = await ari.request("GET", f"/endpoints/PJSIP/{AGENT_A.extension}")
    assert endpoint["state"] == "online"
    cookie = next(c for c in await page.context.cookies() if c["name"] == "sb_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    # Microphone and speaker choices list the (fake) devices.
    await page.click(".devices summary")
    assert await page.locator("#mic-select option").count() >= 2
    assert await page.locator("#speaker-select option").count() >= 1
    await page.screenshot(path=str(images_dir / "console-registered.png"))


async def test_wrong_password_is_refused(open_page: Opener) -> None:
    page = await open_page()
    await sign_in(page, AGENT_A, password="not the password")
    error = page.locator("#login-error")
    await error.wait_for(state="visible")
    assert "Wrong organisation, user number or password" in await error.inner_text()
    assert not [c for c in await page.context.cookies() if c["name"] == "sb_console"]
    await page.goto("/console")
    assert "/login" in page.url


async def test_expired_session_asks_to_sign_in_again(
    open_page: Opener, console_server: ConsoleServer
) -> None:
    page = await sign_in_agent(open_page, AGENT_A)
    console_server.clock.offset = console_server.settings.console.session_ttl_s + 1
    await page.select_option("#status-select", "paused")
    await page.click("#status-apply")
    banner = page.locator("#session-expired")
    await banner.wait_for(state="visible")
    assert "session has expired" in (await banner.inner_text()).lower()
    await page.reload()
    assert "/login" in page.url


async def test_post_without_csrf_token_or_from_another_origin_is_refused(
    open_page: Opener, console_server: ConsoleServer
) -> None:
    page = await sign_in_agent(open_page, AGENT_A)
    status = await page.evaluate(
        """() => fetch('/api/status', {method: 'POST', headers: {'Content-Type':
        'application/json'}, body: JSON.stringify({status: 'paused'})}).then(r => r.status)"""
    )
    assert status == 403
    import aiohttp

    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{console_server.url}/api/login",
            json={"tenant": "demo", "user": "103", "password": "x" * 10},
            headers={"Origin": "http://evil.example"},
        ) as resp,
    ):
        assert resp.status == 403


async def test_repeated_wrong_passwords_are_throttled_and_sign_ins_audited(
    open_page: Opener, console_server: ConsoleServer
) -> None:
    from sqlalchemy import select

    from mcp_tools.db.models import AuditEntry

    page = await open_page()
    viewer = Agent("105", "Dev Patel")  # has no console password: every try fails
    for _ in range(6):  # five failures are free; the sixth locks the account for 30 s
        await sign_in(page, viewer, password="guess-guess")
        await page.locator("#login-error").wait_for(state="visible")
    await sign_in(page, viewer, password="guess-guess")
    await page.wait_for_function(
        "() => document.getElementById('login-error').textContent.includes('Too many')"
    )
    assert "Try again in" in await page.locator("#login-error").inner_text()

    await sign_in_agent(open_page, AGENT_A)
    async with console_server.db.scoped(console_server.tenant_id) as session:
        rows = (
            await session.execute(
                select(AuditEntry.action, AuditEntry.outcome, AuditEntry.actor).where(
                    AuditEntry.channel == "console"
                )
            )
        ).all()
    assert ("console.sign_in", "refused", "Dev Patel") in rows
    assert ("console.sign_in", "ok", AGENT_A.name) in rows
    assert ("console.status", "ok", AGENT_A.name) in rows


async def test_going_offline_unregisters_and_available_registers_again(
    open_page: Opener, ari: AriRest
) -> None:
    page = await sign_in_agent(open_page, AGENT_A)
    await page.select_option("#status-select", "offline")
    await page.click("#status-apply")
    await page.wait_for_selector("#reg-state[data-state=unregistered]")
    await page.wait_for_selector("#status-now[data-status=offline]")
    endpoint = await ari.request("GET", f"/endpoints/PJSIP/{AGENT_A.extension}")
    assert endpoint["state"] == "offline"
    await page.select_option("#status-select", "available")
    await page.click("#status-apply")
    await page.wait_for_selector("#reg-state[data-state=registered]")
    await page.wait_for_selector("#status-now[data-status=available]")
