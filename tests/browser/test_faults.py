"""Clear states for what goes wrong: a refused SIP registration, media the browser will not
give, one-time sign-in links (valid once), and the try-it page reaching the assistant."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from ari_app.app import SwitchboardApp
from ari_app.ari.rest import AriRest
from switchboard.callers.baresip import BaresipCaller
from switchboard.settings import Settings
from tests.browser.calls import call_state, message_text, start_caller, wait_energy_above
from tests.browser.fixtures import AGENT_A, ConsoleServer, sign_in, sign_in_agent
from tests.fixtures.pbx import wait_no_leftovers

pytestmark = [pytest.mark.pbx, pytest.mark.slow]

Opener = Callable[[], Awaitable[Any]]

DENY_MICROPHONE = """
navigator.mediaDevices.getUserMedia = () =>
  Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
"""


async def test_refused_registration_is_shown_with_its_cause(open_page: Opener) -> None:
    page = await open_page()

    async def wrong_sip_password(route: Any) -> None:
        response = await route.fetch()
        sip = await response.json()
        sip["password"] = "not-the-sip-password"
        await route.fulfill(response=response, body=json.dumps(sip))

    await page.route("**/api/sip", wrong_sip_password)
    await sign_in(page, AGENT_A)
    await page.wait_for_selector("#reg-state[data-state=failed]", timeout=20000)
    text = await page.locator("#reg-state").inner_text()
    assert "Registration failed" in text and "Authentication" in text


async def test_media_the_browser_refuses_ends_the_answer_with_a_clear_message(
    open_page: Opener,
    make_caller: Callable[..., BaresipCaller],
    ari_settings: Settings,
    ari: AriRest,
    tmp_path: Path,
) -> None:
    page = await sign_in_agent(open_page, AGENT_A)
    await page.evaluate(f"() => {{ {DENY_MICROPHONE} }}")
    caller = start_caller(make_caller, ari_settings, tmp_path, AGENT_A.extension)
    await call_state(page, "ringing")
    await page.click("#answer")
    await call_state(page, "ended")
    text = await message_text(page)
    assert "audio could not be set up" in text and "microphone" in text
    await asyncio.to_thread(caller.stop)
    await wait_no_leftovers(ari)


async def test_one_time_link_signs_in_once(
    open_page: Opener, console_server: ConsoleServer
) -> None:
    from webrtc_console.directory import Directory

    person = await Directory(console_server.db).person("demo", AGENT_A.user_number)
    assert person is not None
    token = console_server.accounts.create_link(person.tenant_id, person.user_id, 60)
    page = await open_page()
    await page.goto(f"/login/link#{token}")  # opening the link spends nothing: a POST does
    assert "#" not in page.url  # the token leaves the address bar (and the history)
    await page.click("#use-link")
    await page.wait_for_url("**/console")
    await page.wait_for_selector("#reg-state[data-state=registered]", timeout=20000)
    other = await open_page()
    await other.goto(f"/login/link#{token}")
    await other.click("#use-link")
    error = other.locator("#login-error")
    await error.wait_for(state="visible")
    assert "not valid" in await error.inner_text()


async def test_try_it_page_talks_to_the_assistant(
    open_page: Opener, running_app: SwitchboardApp, ari: AriRest
) -> None:
    page = await open_page()
    await sign_in(page, AGENT_A)
    await page.wait_for_url("**/console")
    await page.goto("/tryit")
    await page.click("#call")
    await page.wait_for_selector("#tryit-state[data-state=active]", timeout=20000)
    # The assistant answers (echo mode: a greeting prompt, then the browser's own tone back).
    energy = await wait_energy_above(page, 0.01, timeout_s=10, script=TRYIT_ENERGY)
    assert energy > 0.01
    before = len(running_app.calls.finished)
    for key in ("4", "2"):  # the keypad reaches the app as DTMF (RFC 4733)
        await page.click(f"#keypad button:has-text('{key}')")
        await asyncio.sleep(0.4)
    await asyncio.sleep(0.5)
    await page.click("#hangup")
    await page.wait_for_selector("#tryit-state[data-state=ended]")
    stats = (await running_app.calls.wait_finished(before + 1, 10))[-1]
    assert stats.dtmf == ["4", "2"]
    await wait_no_leftovers(ari)


TRYIT_ENERGY = "() => window.tryit.audioStats()"
