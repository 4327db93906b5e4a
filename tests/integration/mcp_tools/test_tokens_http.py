"""Identity only from a valid bearer token: missing, expired, forged tokens get HTTP 401."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest

from mcp_tools.tokens import AUDIENCE, TokenService
from tests.fixtures.mcp_env import ToolEnv

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "0"},
    },
}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def bad_tokens(env: ToolEnv) -> dict[str, str | None]:
    uid, tid = env.a.users["101"], env.a.id
    base = {
        "iss": "switchboard",
        "aud": AUDIENCE,
        "sub": str(uid),
        "tid": tid,
        "role": "owner",
        "chn": "voice",
        "iat": int(time.time()),
    }
    return {
        "missing": None,
        "garbage": "not-a-jwt",
        "expired": env.tokens.mint(tenant_id=tid, user_id=uid, role="owner", ttl_s=-60),
        "forged": TokenService(b"another-key-another-key-another-key!").mint(
            tenant_id=tid, user_id=uid, role="owner"
        ),
        "alg_none": jwt.encode({**base, "exp": int(time.time()) + 60}, None, algorithm="none"),
        "wrong_audience": jwt.encode(
            {**base, "aud": "other", "exp": int(time.time()) + 60},
            b"test-key-for-switchboard-tools-0123456789",
            "HS256",
        ),
        "no_tenant": jwt.encode(
            {k: v for k, v in base.items() if k != "tid"} | {"exp": int(time.time()) + 60},
            b"test-key-for-switchboard-tools-0123456789",
            "HS256",
        ),
    }


@pytest.mark.parametrize(
    "kind", ["missing", "garbage", "expired", "forged", "alg_none", "wrong_audience", "no_tenant"]
)
async def test_bad_tokens_are_rejected(tool_env: ToolEnv, kind: str) -> None:
    token = bad_tokens(tool_env)[kind]
    headers = dict(HEADERS)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    async with httpx.AsyncClient() as http:
        r = await http.post(tool_env.url, json=INIT, headers=headers)
    assert r.status_code == 401


async def test_valid_token_is_accepted(tool_env: ToolEnv) -> None:
    headers = dict(HEADERS, Authorization=f"Bearer {tool_env.token(tool_env.a, '101', 'owner')}")
    async with httpx.AsyncClient() as http:
        r = await http.post(tool_env.url, json=INIT, headers=headers)
    assert r.status_code == 200


async def test_role_in_token_cannot_exceed_database_role(tool_env: ToolEnv) -> None:
    # a token minted as owner for someone who is only a viewer now (role lowered mid-call)
    token = tool_env.token(tool_env.a, "105", "owner")
    async with tool_env.client(token) as c:
        r = await c.call("list_todos")
        assert not r.ok and r.code == "forbidden"


async def test_identity_arguments_are_ignored(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_member") as c:
        r = await c.call_raw("get_my_profile", {"user_id": tool_env.a.users["101"]})
        assert r.ok and r.data["user"]["name"] == "John Park"


async def test_deactivated_user_token_stops_working(tool_env: ToolEnv) -> None:
    import uuid

    from mcp_tools.services.admin import Provisioning, operator
    from tests.fixtures.mcp_env import scratch_tenant

    tenant = await scratch_tenant(tool_env.db, f"gone-{uuid.uuid4().hex[:6]}")
    async with tool_env.client(tool_env.token(tenant, "103", "member")) as c:
        assert (await c.call("list_todos")).ok
        await Provisioning(tool_env.db).set_active(operator(tenant.id), tenant.users["103"], False)
        r = await c.call("list_todos")
        assert not r.ok and r.text == "Your account is not active, so I can't do that."


async def test_foreign_host_header_is_refused_on_loopback(tool_env: ToolEnv) -> None:
    token = tool_env.token(tool_env.a, "101", "owner")
    headers = dict(HEADERS, Authorization=f"Bearer {token}", Host="attacker.example")
    async with httpx.AsyncClient() as http:
        r = await http.post(tool_env.url, json=INIT, headers=headers)
    assert r.status_code in (400, 403, 421)
