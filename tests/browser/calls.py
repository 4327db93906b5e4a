"""Helpers for the console's call tests: a baresip caller (test endpoint 1002), page waits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from switchboard.callers.audio import write_tone_wav
from switchboard.callers.baresip import BaresipCaller, CallerAccount
from switchboard.settings import Settings

CALLER = "1002"
CALLER_TONE_HZ = 440.0


def start_caller(
    make_caller: Callable[..., BaresipCaller],
    settings: Settings,
    tmp_path: Path,
    target: str,
    *,
    seconds: float = 60,
    name: str = "caller",
) -> BaresipCaller:
    """Endpoint 1002 dials ``target`` (an agent extension or a queue), playing a 440 Hz tone."""
    from freepbx.devpbx.secrets import read_secrets

    secrets = read_secrets(settings.devpbx_dir)
    assert secrets is not None
    mic = write_tone_wav(tmp_path / f"{name}-mic.wav", CALLER_TONE_HZ, seconds)
    caller = make_caller(
        mic,
        account=CallerAccount(CALLER, password=secrets.endpoint_passwords[CALLER]),
        name=name,
    )
    caller.start(dial=f"sip:{target}@127.0.0.1:{settings.pbx.sip_port}", seconds=seconds)
    return caller


async def call_state(page: Any, state: str, timeout_s: float = 20.0) -> None:
    """Wait until the console shows a call state (ringing, active, held, ended, idle)."""
    await page.wait_for_selector(f"#call-state[data-state={state}]", timeout=timeout_s * 1000)


CONSOLE_STATS = "() => window.switchboard.phone.audioStats()"


async def inbound_energy(page: Any, script: str = CONSOLE_STATS) -> float:
    """Audio energy the browser has received on the current call (WebRTC stats)."""
    stats = await page.evaluate(script)
    return float(stats["inboundEnergy"]) if stats else 0.0


async def wait_energy_above(
    page: Any, floor: float, timeout_s: float = 10.0, *, script: str = CONSOLE_STATS
) -> float:
    """Wait until the received audio energy exceeds ``floor``; returns it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    energy = await inbound_energy(page, script)
    while energy <= floor and loop.time() < deadline:
        await asyncio.sleep(0.25)
        energy = await inbound_energy(page, script)
    return energy


async def message_text(page: Any) -> str:
    """The console's call message line."""
    text: str = await page.locator("#call-message").inner_text()
    return text
