"""Faults against the real PBX: Asterisk restarting mid-call, a wrong ARI password."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ari_app.app import SwitchboardApp
from ari_app.ari.rest import AriRest
from switchboard.callers.sipp import run_sipp, uac_scenario
from switchboard.settings import Settings
from tests.fixtures.pbx import wait_no_leftovers

pytestmark = [pytest.mark.pbx, pytest.mark.slow]


def _sipp_call(workdir: Path, settings: Settings, hold_ms: int) -> object:
    return run_sipp(
        workdir,
        uac_scenario(hold_ms),
        target=f"127.0.0.1:{settings.pbx.sip_port}",
        service=settings.pbx.demo_did,
        calls=1,
        concurrent=1,
        rate_per_s=1,
        timeout_s=30,
    )


async def test_asterisk_restart_mid_call_then_next_call_is_served(
    running_app: SwitchboardApp,
    dev_pbx: object | None,
    ari: AriRest,
    ari_settings: Settings,
    tmp_path: Path,
) -> None:
    if dev_pbx is None:
        pytest.skip("restarting Asterisk needs the dev PBX")
    from freepbx.devpbx.process import DevPbx

    assert isinstance(dev_pbx, DevPbx)
    connections = running_app.events.connections
    doomed = asyncio.create_task(asyncio.to_thread(_sipp_call, tmp_path / "a", ari_settings, 8000))
    async with asyncio.timeout(10):
        while running_app.calls.active == 0:
            await asyncio.sleep(0.05)

    await asyncio.to_thread(dev_pbx.stop)
    async with asyncio.timeout(10):
        while running_app.calls.active:  # the lost connection drops the call it served
            await asyncio.sleep(0.05)
    await asyncio.to_thread(dev_pbx.start)
    async with asyncio.timeout(30):
        while (
            running_app.events.connections == connections
            or not running_app.events.connected.is_set()
        ):
            await asyncio.sleep(0.1)
    await doomed  # SIPp gives up on the call that died with Asterisk

    before = len(running_app.calls.finished)
    result = await asyncio.to_thread(_sipp_call, tmp_path / "b", ari_settings, 4000)
    finished = await running_app.calls.wait_finished(before + 1, 20)
    assert getattr(result, "successful", 0) == 1, getattr(result, "output", "")[-1500:]
    assert finished[-1].outcome == "completed"
    assert finished[-1].frames_in > 80  # ~2.8 s after the ~1.2 s prompt
    await wait_no_leftovers(ari)


def test_wrong_ari_password_is_one_clear_line_and_nonzero_exit(ari_settings: Settings) -> None:
    env = {
        **os.environ,
        "SWITCHBOARD_ARI__PASSWORD": "definitely-wrong",
        "SWITCHBOARD_ARI__URL": ari_settings.ari_url,
    }
    proc = subprocess.run(
        [sys.executable, "-m", "switchboard", "run", "--no-pbx"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2
    assert len(lines) == 1, proc.stderr
    assert "rejected user 'switchboard'" in lines[0]
    assert "definitely-wrong" not in proc.stderr


async def test_supervisor_restarts_a_crashed_asterisk(
    running_app: SwitchboardApp, dev_pbx: object | None, ari_settings: Settings, tmp_path: Path
) -> None:
    if dev_pbx is None:
        pytest.skip("supervision applies to the dev PBX")
    import signal

    from freepbx.devpbx.process import DevPbx
    from switchboard.runner import supervise_pbx

    assert isinstance(dev_pbx, DevPbx)
    pid = dev_pbx.running_pid()
    assert pid is not None
    connections = running_app.events.connections
    supervisor = asyncio.create_task(supervise_pbx(dev_pbx, interval_s=0.2))
    try:
        os.kill(pid, signal.SIGKILL)
        async with asyncio.timeout(40):
            while (
                dev_pbx.running_pid() in (None, pid)
                or running_app.events.connections == connections
            ):
                await asyncio.sleep(0.1)
    finally:
        supervisor.cancel()
        await asyncio.gather(supervisor, return_exceptions=True)
    before = len(running_app.calls.finished)
    result = await asyncio.to_thread(_sipp_call, tmp_path / "c", ari_settings, 3000)
    assert getattr(result, "successful", 0) == 1
    finished = await running_app.calls.wait_finished(before + 1, 20)
    assert finished[-1].outcome == "completed"
