"""Calls in the browser console against the dev PBX: ring, answer, audio both ways, hold,
hang-up from either side, blind transfer, a transfer target that does not exist."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from ari_app.app import SwitchboardApp
from ari_app.ari.rest import AriRest
from switchboard.callers.audio import read_wav, tone_seconds
from switchboard.callers.baresip import BaresipCaller
from switchboard.settings import Settings
from tests.browser.calls import (
    call_state,
    inbound_energy,
    message_text,
    start_caller,
    wait_energy_above,
)
from tests.browser.fixtures import AGENT_A, AGENT_B, BROWSER_TONE_HZ, sign_in_agent
from tests.fixtures.pbx import wait_no_leftovers

pytestmark = [pytest.mark.pbx, pytest.mark.slow]

Opener = Callable[[], Awaitable[Any]]
Maker = Callable[..., BaresipCaller]


async def test_caller_rings_agent_answers_audio_both_ways_hold_resume_caller_hangs_up(
    open_page: Opener, make_caller: Maker, ari_settings: Settings, ari: AriRest, tmp_path: Path
) -> None:
    page = await sign_in_agent(open_page, AGENT_A)
    caller = start_caller(make_caller, ari_settings, tmp_path, AGENT_A.extension)
    await call_state(page, "ringing")
    assert "1002" in await page.locator("#caller-id").inner_text()
    assert "Direct call" in await page.locator("#screen-pop").inner_text()
    await page.click("#answer")
    await call_state(page, "active")
    await asyncio.to_thread(caller.wait_established)
    # Caller → agent: the caller's tone arrives in the browser.
    assert await wait_energy_above(page, 0.05) > 0.05
    assert await page.locator("#call-timer").inner_text() != ""

    await page.click("#mute")
    await page.locator("#unmute").wait_for(state="visible")
    muted = "() => window.switchboard.phone.isMuted()"
    assert await page.evaluate(muted) is True
    await page.click("#unmute")
    await page.locator("#mute").wait_for(state="visible")
    assert await page.evaluate(muted) is False

    await page.click("#hold")
    await call_state(page, "held")
    await asyncio.sleep(1.0)
    await page.click("#resume")
    await call_state(page, "active")
    before = await inbound_energy(page)
    assert await wait_energy_above(page, before + 0.05) > before + 0.05  # audio flows again

    await asyncio.sleep(2.0)
    await asyncio.to_thread(caller.hangup)
    await call_state(page, "ended")
    assert "ended by the caller" in await message_text(page)
    await wait_no_leftovers(ari)
    # Agent → caller: the browser's microphone tone is in the caller's recording.
    heard, rate = read_wav(caller.recording())
    assert tone_seconds(heard, rate, BROWSER_TONE_HZ) >= 2.0


async def test_agent_hangs_up_and_the_caller_is_released(
    open_page: Opener, make_caller: Maker, ari_settings: Settings, ari: AriRest, tmp_path: Path
) -> None:
    page = await sign_in_agent(open_page, AGENT_A)
    caller = start_caller(make_caller, ari_settings, tmp_path, AGENT_A.extension)
    await call_state(page, "ringing")
    await page.click("#answer")
    await call_state(page, "active")
    await asyncio.to_thread(caller.wait_established)
    await page.click("#keypad button:has-text('5')")  # the keypad sends DTMF (RFC 4733)
    await page.click("#hangup")
    await call_state(page, "ended")
    assert "ended by you" in await message_text(page)
    await wait_no_leftovers(ari)
    assert caller.proc is not None and caller.proc.poll() is None  # baresip itself stays up


async def test_blind_transfer_to_another_agents_console(
    open_page: Opener, make_caller: Maker, ari_settings: Settings, ari: AriRest, tmp_path: Path
) -> None:
    page_a = await sign_in_agent(open_page, AGENT_A)
    page_b = await sign_in_agent(open_page, AGENT_B)
    caller = start_caller(make_caller, ari_settings, tmp_path, AGENT_A.extension)
    await call_state(page_a, "ringing")
    await page_a.click("#answer")
    await call_state(page_a, "active")
    await asyncio.to_thread(caller.wait_established)

    await page_a.fill("#transfer-target", AGENT_B.extension)
    await page_a.click("#transfer")
    await call_state(page_b, "ringing")
    assert "1002" in await page_b.locator("#caller-id").inner_text()
    await call_state(page_a, "ended")
    assert f"Transferred to {AGENT_B.extension}" in await message_text(page_a)
    await page_b.click("#answer")
    await call_state(page_b, "active")
    assert await wait_energy_above(page_b, 0.05) > 0.05  # the caller is now heard by B
    await page_b.click("#hangup")
    await call_state(page_b, "ended")
    await wait_no_leftovers(ari)


async def test_transfer_to_a_target_that_does_not_exist_keeps_the_call(
    open_page: Opener, make_caller: Maker, ari_settings: Settings, ari: AriRest, tmp_path: Path
) -> None:
    page = await sign_in_agent(open_page, AGENT_A)
    caller = start_caller(make_caller, ari_settings, tmp_path, AGENT_A.extension)
    await call_state(page, "ringing")
    await page.click("#answer")
    await call_state(page, "active")
    await asyncio.to_thread(caller.wait_established)

    # Caught by the console: not an agent, queue or the assistant.
    await page.fill("#transfer-target", "2999")
    await page.click("#transfer")
    assert "No agent, queue or assistant answers at" in await message_text(page)
    assert await page.locator("#call-state").get_attribute("data-state") == "active"

    # Refused by the PBX (REFER to an extension its dialplan does not have).
    await page.evaluate("() => window.switchboard.phone.transfer('nobody')")
    await page.wait_for_function(
        "() => document.getElementById('call-message').textContent.includes('failed')"
    )
    text = await message_text(page)
    assert "Transfer to nobody failed" in text and "still yours" in text
    await asyncio.sleep(1.0)
    assert await page.locator("#call-state").get_attribute("data-state") == "active"
    before = await inbound_energy(page)
    assert await wait_energy_above(page, before + 0.02) > before + 0.02  # still connected
    await asyncio.to_thread(caller.hangup)
    await call_state(page, "ended")
    await wait_no_leftovers(ari)


async def test_transfer_to_a_department_queue_rings_its_agent(
    open_page: Opener, make_caller: Maker, ari_settings: Settings, ari: AriRest, tmp_path: Path
) -> None:
    page_a = await sign_in_agent(open_page, AGENT_A)
    page_b = await sign_in_agent(open_page, AGENT_B)
    caller = start_caller(make_caller, ari_settings, tmp_path, AGENT_A.extension)
    await call_state(page_a, "ringing")
    await page_a.click("#answer")
    await call_state(page_a, "active")
    await asyncio.to_thread(caller.wait_established)
    await page_a.fill("#transfer-target", "401")  # the support queue
    await page_a.click("#transfer")
    await call_state(page_a, "ended")
    await call_state(page_b, "ringing")  # ringall: B rings (A too, now free); B answers
    await page_b.click("#answer")
    await call_state(page_b, "active")
    assert await wait_energy_above(page_b, 0.05) > 0.05
    await asyncio.to_thread(caller.hangup)
    await call_state(page_b, "ended")
    await wait_no_leftovers(ari)


async def test_transfer_back_to_the_assistant(
    open_page: Opener,
    make_caller: Maker,
    ari_settings: Settings,
    ari: AriRest,
    running_app: SwitchboardApp,
    tmp_path: Path,
) -> None:
    page = await sign_in_agent(open_page, AGENT_A)
    caller = start_caller(make_caller, ari_settings, tmp_path, AGENT_A.extension)
    await call_state(page, "ringing")
    await page.click("#answer")
    await call_state(page, "active")
    await asyncio.to_thread(caller.wait_established)
    before = len(running_app.calls.finished)
    active = running_app.calls.active
    await page.click("#to-assistant")
    await call_state(page, "ended")
    assert "Transferred to 7000" in await message_text(page)
    async with asyncio.timeout(10):  # the caller is now the assistant's call
        while running_app.calls.active == active:
            await asyncio.sleep(0.1)
    await asyncio.sleep(3.0)
    await asyncio.to_thread(caller.hangup)
    stats = (await running_app.calls.wait_finished(before + 1, 10))[-1]
    assert stats.playbacks == [ari_settings.call.greeting_sound]
    await wait_no_leftovers(ari)
