"""Fifty callers at once key a wrong PIN for one user (SIPp, RFC 4733 digits, real Asterisk,
real sign-in over SQLite with bcrypt at its real cost): at most the allowed number of PIN
checks run; the rest are refused by the lock the first ones took. The callers present the
user's own number as caller ID (spoofed, as an attacker would), so each is asked for the PIN
at once. (The per-user count with a different number per guess is in test_pin_guessing.)"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from ari_app.app import SwitchboardApp
from ari_app.ari.rest import AriRest
from mcp_tools.db.models import AuditEntry, User
from mcp_tools.db.session import Database
from switchboard.callers.sipp import run_sipp
from switchboard.settings import Settings
from tests.fixtures.pbx import wait_no_leftovers
from tests.security.signin_stack import keyed_scenario, signin_app

pytestmark = [pytest.mark.pbx, pytest.mark.slow]
__all__ = ["signin_app"]

CALLERS = 50
MARIA = "104"
MARIA_PHONE = "+15550114"


async def _verdicts(settings: Settings) -> tuple[int, list[str]]:
    db = Database.from_settings(settings)
    try:
        async with db.unscoped() as session:
            maria = (
                await session.execute(select(User).where(User.user_number == MARIA))
            ).scalar_one()
            rows = (
                await session.execute(
                    select(AuditEntry).where(
                        AuditEntry.action == "auth.pin", AuditEntry.target_id == str(maria.id)
                    )
                )
            ).scalars()
            return maria.id, [str(r.detail.get("reason", r.outcome)) for r in rows]
    finally:
        await db.dispose()


async def test_fifty_parallel_callers_guessing_one_pin_get_three_checks(
    signin_app: tuple[SwitchboardApp, Settings], ari: AriRest, tmp_path: Path
) -> None:
    app, settings = signin_app
    before = len(app.calls.finished)
    scenario = keyed_scenario([(4.0, "2356#")], hang_up_after_s=12.0, caller_id=MARIA_PHONE)
    result = await asyncio.to_thread(
        run_sipp,
        tmp_path,
        scenario,
        target=f"127.0.0.1:{settings.pbx.sip_port}",
        service=settings.pbx.demo_did,
        calls=CALLERS,
        concurrent=CALLERS,
        rate_per_s=CALLERS,
        timeout_s=120,
    )
    finished = await app.calls.wait_finished(before + CALLERS, 120)
    _, verdicts = await _verdicts(settings)
    checked = verdicts.count("wrong_pin")
    assert len(verdicts) == CALLERS, (verdicts, result.output[-800:])  # every caller tried
    assert 1 <= checked <= settings.tools.pin_max_failures, verdicts
    assert verdicts.count("locked") == CALLERS - checked
    ours = finished[before:]
    assert not [s.outcome for s in ours if s.outcome == "error"]
    await wait_no_leftovers(ari, timeout_s=20)
