"""The PBX restarts while an agent is registered: the console says so, reconnects,
re-registers and re-applies the agent's pause (Asterisk forgets pauses on restart)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.browser.fixtures import AGENT_A, sign_in_agent

pytestmark = [pytest.mark.pbx, pytest.mark.slow]


async def test_pbx_restart_while_registered_reregisters_and_keeps_the_pause(
    open_page: Callable[[], Awaitable[Any]], dev_pbx: object | None
) -> None:
    if dev_pbx is None:
        pytest.skip("restarting Asterisk needs the dev PBX")
    from freepbx.devpbx.process import DevPbx

    assert isinstance(dev_pbx, DevPbx)
    page = await sign_in_agent(open_page, AGENT_A)
    await page.select_option("#status-select", "paused")
    await page.fill("#status-reason", "training")
    await page.click("#status-apply")
    await page.wait_for_selector("#status-now[data-status=paused]")

    await asyncio.to_thread(dev_pbx.stop)
    await page.wait_for_selector("#reg-state[data-state=disconnected]", timeout=15000)
    assert "lost" in (await page.locator("#reg-state").inner_text()).lower()
    await asyncio.to_thread(dev_pbx.start)
    await page.wait_for_selector("#reg-state[data-state=registered]", timeout=30000)
    await page.wait_for_selector("#status-now[data-status=paused]")

    async def paused_in_queue() -> bool:
        shown = await asyncio.to_thread(dev_pbx.cli, "queue show 401")
        line = next(x for x in shown.splitlines() if f"PJSIP/{AGENT_A.extension}" in x)
        return "paused" in line

    async with asyncio.timeout(10):
        while not await paused_in_queue():
            await asyncio.sleep(0.3)
