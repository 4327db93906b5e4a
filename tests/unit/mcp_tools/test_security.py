"""PIN hashing and lockout, tokens, roles policy, digit masking, opening hours."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from mcp_tools import hours
from mcp_tools.errors import Forbidden, InvalidInput
from mcp_tools.pins import hash_pin, is_valid_pin, lockout_seconds, verify_pin
from mcp_tools.policy import (
    Actor,
    Role,
    effective_team_role,
    require_role_change,
    require_team_role,
    require_write,
)
from mcp_tools.services.calls import mask_digits
from mcp_tools.tokens import TokenError, TokenService

KEY = b"unit-test-key-unit-test-key-unit-test"


def test_pins() -> None:
    h = hash_pin("4821", rounds=4)
    assert "4821" not in h and h.startswith("$2")
    assert verify_pin("4821", h, 4)
    assert not verify_pin("4822", h, 4)
    assert not verify_pin("4821", None, 4)  # unknown user: dummy hash, still False
    assert not verify_pin("48210000", h, 4)
    assert not verify_pin("4821", "corrupt", 4)
    for bad in ("123", "1234567", "12a4", "١٢٣٤", " 1234"):
        assert not is_valid_pin(bad)
        with pytest.raises(InvalidInput):
            hash_pin(bad, 4)


def test_lockout_backoff() -> None:
    assert [lockout_seconds(n, 3, 30, 3600) for n in range(1, 10)] == [
        0,
        0,
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
    ]
    assert lockout_seconds(50, 3, 30, 3600) == 3600


def test_tokens_round_trip_and_rejections() -> None:
    tokens = TokenService(KEY, ttl_s=60)
    token = tokens.mint(tenant_id=3, user_id=7, role="member", call_id="c1")
    claims = tokens.verify(token)
    assert (claims.tenant_id, claims.user_id, claims.role, claims.call_id, claims.channel) == (
        3,
        7,
        Role.MEMBER,
        "c1",
        "voice",
    )
    assert claims.actor().tenant_id == 3
    with pytest.raises(TokenError):
        tokens.verify(tokens.mint(tenant_id=3, user_id=7, role="member", now=time.time() - 120))
    with pytest.raises(TokenError):
        TokenService(b"x" * 40).verify(token)
    with pytest.raises(TokenError):
        tokens.verify(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])
    with pytest.raises(TokenError):
        TokenService(KEY, issuer="other").verify(token)
    with pytest.raises(ValueError):
        TokenService(b"short")


def actor(role: Role) -> Actor:
    return Actor(tenant_id=1, user_id=1, role=role)


def test_roles_policy() -> None:
    assert Role.OWNER > Role.ADMIN > Role.MEMBER > Role.VIEWER
    with pytest.raises(Forbidden):
        require_write(actor(Role.VIEWER), "add todos")
    require_write(actor(Role.MEMBER), "add todos")
    # tenant admins act as team admins everywhere; viewers stay viewers
    assert effective_team_role(actor(Role.ADMIN), None) == Role.ADMIN
    assert effective_team_role(actor(Role.OWNER), Role.MEMBER) == Role.OWNER
    assert effective_team_role(actor(Role.VIEWER), Role.OWNER) == Role.VIEWER
    assert effective_team_role(actor(Role.MEMBER), None) is None
    with pytest.raises(Forbidden):
        require_team_role(actor(Role.MEMBER), Role.MEMBER, Role.ADMIN, "Dev", "add members")
    assert require_team_role(actor(Role.MEMBER), Role.ADMIN, Role.ADMIN, "Dev", "x") == Role.ADMIN
    with pytest.raises(Forbidden):
        require_role_change(Role.ADMIN, Role.MEMBER, Role.OWNER)
    with pytest.raises(Forbidden):
        require_role_change(Role.ADMIN, Role.OWNER, None)
    require_role_change(Role.OWNER, Role.OWNER, Role.MEMBER)
    with pytest.raises(InvalidInput):
        Role.parse("emperor")


@pytest.mark.parametrize(
    ("said", "stored"),
    [
        ("my pin is 4821", "my pin is [digits]"),
        ("it's 4 8 2 1", "it's [digits]"),
        ("call 12 or 123", "call 12 or 123"),
        ("1234567 is long", "1234567 is long"),
    ],
)
def test_mask_digits(said: str, stored: str) -> None:
    assert mask_digits(said) == stored


def test_opening_hours() -> None:
    week = hours.WEEKDAYS_9_TO_5
    thursday_10 = datetime(2026, 11, 26, 10, 0)
    saturday = datetime(2026, 11, 28, 10, 0)
    assert hours.is_open(week, thursday_10) and not hours.is_open(week, saturday)
    assert hours.next_opening(week, saturday) == datetime(2026, 11, 30, 9, 0)
    assert hours.is_open(hours.ALWAYS, saturday) and hours.next_opening({}, saturday) is None
    with pytest.raises(ValueError):
        hours.validate({"mon": [["17:00", "09:00"]]})
    with pytest.raises(ValueError):
        hours.validate({"someday": []})
