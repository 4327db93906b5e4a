"""Per-call tool tokens: kept fresh on long calls, dead at hang-up (over the real MCP server,
which shares the token service with the telephony side in one app)."""

from __future__ import annotations

import time

import httpx

from mcp_tools.tokens import CallToken, TokenError, TokenService
from tests.fixtures.mcp_env import ToolEnv

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "security-test", "version": "1"},
    },
}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_long_call_gets_fresh_tokens_with_the_same_identity() -> None:
    tokens = TokenService(b"t" * 40, ttl_s=900)
    clock = Clock(time.time())
    first = tokens.mint(tenant_id=3, user_id=9, role="member", call_id="c-long")
    held = CallToken(tokens, first, refresh_after_s=300, clock=clock)
    assert held.current() == first
    clock.now += 299
    assert held.current() == first
    clock.now += 2  # five minutes on: re-minted before it could run out mid-call
    time.sleep(1.1)  # tokens carry whole seconds
    fresh = held.current()
    before, after = tokens.verify(first), tokens.verify(fresh)
    assert fresh != first and after.expires_at > before.expires_at
    assert (after.tenant_id, after.user_id, after.role, after.call_id) == (
        before.tenant_id,
        before.user_id,
        before.role,
        before.call_id,
    )


def test_hang_up_kills_every_token_of_the_call_only() -> None:
    tokens = TokenService(b"t" * 40)
    mine = tokens.mint(tenant_id=1, user_id=2, role="owner", call_id="c-1")
    other = tokens.mint(tenant_id=1, user_id=2, role="owner", call_id="c-2")
    held = CallToken(tokens, mine)
    held.revoke()
    for dead in (mine,):
        try:
            tokens.verify(dead)
        except TokenError as exc:
            assert "ended" in str(exc)
        else:
            raise AssertionError("a revoked token verified")
    assert tokens.verify(other).call_id == "c-2"
    try:
        held.current()
    except TokenError:
        pass
    else:
        raise AssertionError("a revoked call handed out a token")


async def test_the_tool_server_refuses_an_ended_calls_token(tool_env: ToolEnv) -> None:
    token = tool_env.token(tool_env.a, "101", "owner", call_id="c-hung-up")
    headers = dict(HEADERS, Authorization=f"Bearer {token}")
    async with httpx.AsyncClient() as http:
        assert (await http.post(tool_env.url, json=INIT, headers=headers)).status_code == 200
        tool_env.tokens.end_call("c-hung-up")
        assert (await http.post(tool_env.url, json=INIT, headers=headers)).status_code == 401
