"""Connecting a Google calendar: PKCE code flow, encrypted tokens, refresh, revocation."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import aiohttp
from aiohttp import web
from sqlalchemy import select

from mcp_tools.calendar_sync import web as callback_web
from mcp_tools.db.models import AuditEntry, GoogleConnection
from tests.fixtures.google_env import CalEnv
from tests.fixtures.postgres import free_port


async def _conn(env: CalEnv, user_id: int) -> GoogleConnection:
    async with env.db.scoped(env.tenant_id) as session:
        row = await session.execute(
            select(GoogleConnection).where(GoogleConnection.user_id == user_id)
        )
        return row.scalar_one()


async def test_connect_through_the_callback_handler(cal_env: CalEnv) -> None:
    user_id = cal_env.users["101"]
    started = await cal_env.connections.start(cal_env.tenant_id, user_id)
    query = parse_qs(urlsplit(started.url).query)
    assert query["code_challenge_method"] == ["S256"] and query["access_type"] == ["offline"]
    assert query["state"] == [started.state]

    state, code = await cal_env.consent(started.url)
    app = web.Application()
    callback_web.add_routes(app, cal_env.connections)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        base = f"http://127.0.0.1:{port}{callback_web.CALLBACK_PATH}"
        async with aiohttp.ClientSession() as http:
            async with http.get(base, params={"state": state, "code": code}) as reply:
                text = await reply.text()
                assert reply.status == 200 and "connected" in text, text
            async with http.get(base, params={"state": state, "code": code}) as again:
                assert again.status == 400  # one use only
    finally:
        await runner.cleanup()

    conn = await _conn(cal_env, user_id)
    assert conn.status == "connected"
    refresh = next(iter(cal_env.state.grants))
    assert conn.refresh_token_enc and refresh not in conn.refresh_token_enc  # encrypted at rest
    assert cal_env.vault.open(conn.refresh_token_enc) == refresh
    assert conn.oauth_state is None and conn.code_verifier_enc is None


async def test_wrong_verifier_is_refused(cal_env: CalEnv) -> None:
    started = await cal_env.connections.start(cal_env.tenant_id, cal_env.users["101"])
    state, code = await cal_env.consent(started.url)
    cal_env.state.codes[code]["challenge"] = "not-the-challenge"
    try:
        await cal_env.connections.finish(state, code)
    except Exception as exc:
        assert "did not accept" in str(exc)
    else:
        raise AssertionError("a code with a wrong PKCE verifier was accepted")


async def test_token_refresh_on_expired_access_token(cal_env: CalEnv) -> None:
    user_id = await cal_env.connect("101")
    conn = await _conn(cal_env, user_id)
    cal_env.state.expire_access_tokens()
    report = await cal_env.sync.sync_connection(cal_env.tenant_id, conn.id)
    assert report.errors == []
    assert cal_env.state.token_grants.count("refresh_token") == 1
    assert ("GET", "/calendar/v3/calendars/primary/events", 401) in cal_env.state.requests
    after = await _conn(cal_env, user_id)
    assert after.access_token_enc != conn.access_token_enc  # the new access token is kept
    assert after.last_sync_at is not None and after.failures == 0


async def test_revoked_grant_marks_connection_and_stops(cal_env: CalEnv) -> None:
    user_id = await cal_env.connect("101")
    conn = await _conn(cal_env, user_id)
    cal_env.state.revoke_all()
    report = await cal_env.sync.sync_connection(cal_env.tenant_id, conn.id)
    assert report.errors and "refused" in report.errors[0]
    status = (await cal_env.connections.status(cal_env.tenant_id, user_id))[0]
    assert status["status"] == "revoked" and status["last_error"]
    assert await cal_env.sync.due() == []  # no more rounds until the user connects again
    async with cal_env.db.scoped(cal_env.tenant_id) as session:
        actions = (await session.execute(select(AuditEntry.action))).scalars().all()
    assert "calendar.revoked" in actions


async def test_disconnect_revokes_at_google(cal_env: CalEnv) -> None:
    user_id = await cal_env.connect("101")
    result = await cal_env.connections.disconnect(cal_env.tenant_id, user_id)
    assert result["revoked_at_google"] is True and result["status"] == "disconnected"
    assert all(g.revoked for g in cal_env.state.grants.values())
    conn = await _conn(cal_env, user_id)
    assert conn.refresh_token_enc is None and conn.access_token_enc is None


async def test_tokens_sealed_with_another_key_need_a_new_connection(cal_env: CalEnv) -> None:
    from cryptography.fernet import Fernet

    from mcp_tools.calendar_sync.vault import Vault
    from mcp_tools.calendar_sync.worker import CalendarSync

    user_id = await cal_env.connect("101")
    conn = await _conn(cal_env, user_id)
    other = CalendarSync(cal_env.db, cal_env.cfg, Vault(Fernet.generate_key()))
    report = await other.sync_connection(cal_env.tenant_id, conn.id)
    assert report.errors and "decrypted" in report.errors[0]
    status = (await cal_env.connections.status(cal_env.tenant_id, user_id))[0]
    assert status["status"] == "revoked" and status["user_number"] == "101"
