"""Concurrent calls are capped per DID and per tenant in the dialplan (switchboard-inbound).

SIPp places many calls at once from the trunk's address; the caps are lowered for the test
through the globals the shipped dialplan honours (SWITCHBOARD_MAX_PER_DID / _PER_TENANT),
and the tenant of a DID is set in AstDB (switchboard-tenant/<DID>; empty: the DID counts
as its own tenant).
Calls over the cap are refused before Stasis: the app sees only the ones let in.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from ari_app.app import SwitchboardApp
from ari_app.ari.rest import AriRest
from switchboard.callers.sipp import SippResult, run_sipp, uac_scenario
from switchboard.settings import Settings
from tests.fixtures.pbx import wait_no_leftovers

pytestmark = [pytest.mark.pbx, pytest.mark.slow]

HOLD_MS = 4000
OTHER_DID = "+15550199"


@pytest.fixture
async def caps(ari: AriRest, dev_pbx: Any) -> AsyncIterator[AriRest]:
    """Lowered caps for the test; the installed ones are back afterwards."""
    if dev_pbx is None:
        pytest.skip("writes the dev PBX's AstDB")
    yield ari
    for name in ("SWITCHBOARD_MAX_PER_DID", "SWITCHBOARD_MAX_PER_TENANT"):
        await ari.set_global_var(name, "")
    dev_pbx.cli("database deltree switchboard-tenant")


def _calls(settings: Settings, workdir: Path, did: str, calls: int) -> SippResult:
    return run_sipp(
        workdir,
        uac_scenario(HOLD_MS, audio_pcap=None),
        target=f"127.0.0.1:{settings.pbx.sip_port}",
        service=did,
        calls=calls,
        concurrent=calls,
        rate_per_s=50,
        local_address=settings.pbx.trunk_address,
        timeout_s=30,
    )


async def test_calls_over_the_per_did_cap_are_refused(
    caps: AriRest, ari_settings: Settings, running_app: SwitchboardApp, tmp_path: Path
) -> None:
    await caps.set_global_var("SWITCHBOARD_MAX_PER_DID", "3")
    before = len(running_app.calls.finished)
    result = await asyncio.to_thread(_calls, ari_settings, tmp_path, ari_settings.pbx.demo_did, 8)
    assert (result.successful, result.failed) == (3, 5), result.output[-2000:]
    finished = await running_app.calls.wait_finished(before + 3, 20.0)
    assert len(finished) - before == 3  # the refused five never reached the app
    await wait_no_leftovers(caps)


async def test_calls_over_the_per_tenant_cap_are_refused_across_its_numbers(
    caps: AriRest,
    dev_pbx: Any,
    ari_settings: Settings,
    running_app: SwitchboardApp,
    tmp_path: Path,
) -> None:
    demo = ari_settings.pbx.demo_did
    for did in (demo, OTHER_DID):  # as `switchboard freepbx install` writes the tenants' DIDs
        dev_pbx.cli(f"database put switchboard-tenant {did} acme")
    await caps.set_global_var("SWITCHBOARD_MAX_PER_TENANT", "4")
    results = await asyncio.gather(
        asyncio.to_thread(_calls, ari_settings, tmp_path / "a", demo, 4),
        asyncio.to_thread(_calls, ari_settings, tmp_path / "b", OTHER_DID, 4),
    )
    answered = sum(r.successful for r in results)
    refused = sum(r.failed for r in results)
    assert (answered, refused) == (4, 4), [r.output[-1500:] for r in results]
    await wait_no_leftovers(caps, 10.0)


async def test_under_the_cap_every_call_gets_through(
    caps: AriRest, ari_settings: Settings, running_app: SwitchboardApp, tmp_path: Path
) -> None:
    await caps.set_global_var("SWITCHBOARD_MAX_PER_DID", "3")
    result = await asyncio.to_thread(_calls, ari_settings, tmp_path, ari_settings.pbx.demo_did, 3)
    assert (result.successful, result.failed) == (3, 0), result.output[-2000:]
    await wait_no_leftovers(caps)
