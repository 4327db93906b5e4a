"""The sign-in service the telephony side calls: DID → tenant, caller hints, PIN checks with
lockout per user and per calling number, admin reset; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from mcp_tools.db.base import utcnow
from mcp_tools.db.models import AuditEntry, PinAttempt, User
from mcp_tools.db.session import Database
from mcp_tools.errors import Forbidden, InvalidInput
from mcp_tools.policy import Actor, Role
from mcp_tools.services.admin import operator
from mcp_tools.services.auth import AuthService
from mcp_tools.tokens import TokenService
from switchboard.settings import ToolsSettings

POLICY = ToolsSettings(bcrypt_rounds=4, pin_max_failures=3, pin_lockout_base_s=30)
KEY = b"k" * 40


def service(db: Database) -> AuthService:
    return AuthService(db, POLICY, TokenService(KEY))


async def _unlock(db: Database, tenant: int, user_id: int, number: str) -> None:
    async with db.scoped(tenant) as s, s.begin():
        user = await s.get(User, user_id)
        assert user is not None
        user.pin_failures, user.locked_until = 0, None
        for a in (await s.execute(select(PinAttempt))).scalars():
            a.failures, a.locked_until = 0, None
    del number


async def test_identify_and_suggest(seeded_db: tuple[Database, int]) -> None:
    db, tenant = seeded_db
    auth = service(db)
    found = await auth.identify_tenant("+1 555-0100")
    assert found is not None and found.id == tenant and found.timezone == "America/New_York"
    assert await auth.identify_tenant("+19999999") is None
    hint = await auth.suggest_user(tenant, "+15550112")
    assert hint is not None and hint.name == "John Smith"
    assert await auth.suggest_user(tenant, "+15550999") is None
    by_number = await auth.find_user_by_number(tenant, "103")
    assert by_number is not None and by_number.name == "John Park"
    assert await auth.find_user_by_number(tenant, "999") is None


async def test_pin_success_mints_a_token(seeded_db: tuple[Database, int]) -> None:
    db, tenant = seeded_db
    auth = service(db)
    user = await auth.find_user_by_number(tenant, "102")
    assert user is not None
    result = await auth.verify_pin(tenant, user.id, "5930", "+15550112", "call-1")
    assert result.ok and result.outcome == "ok" and result.user == user
    assert result.token is not None
    claims = TokenService(KEY).verify(result.token)
    assert (claims.tenant_id, claims.user_id, claims.role, claims.call_id) == (
        tenant,
        user.id,
        Role.ADMIN,
        "call-1",
    )


async def test_lockout_per_user_with_backoff(seeded_db: tuple[Database, int]) -> None:
    db, tenant = seeded_db
    auth = service(db)
    user = await auth.find_user_by_number(tenant, "104")
    assert user is not None
    r1 = await auth.verify_pin(tenant, user.id, "0000", "+15550114")
    assert not r1.ok and r1.outcome == "wrong_pin" and r1.attempts_left == 2
    await auth.verify_pin(tenant, user.id, "0001", "+15550114")
    r3 = await auth.verify_pin(tenant, user.id, "0002", "+15550114")
    assert r3.outcome == "locked" and r3.locked_until is not None
    assert 25 < r3.retry_after_s <= 30
    # even the right PIN is refused while locked, from any number
    r4 = await auth.verify_pin(tenant, user.id, "7253", "+15550777")
    assert not r4.ok and r4.outcome == "locked"
    # back-off doubles: fourth failure after the lock expires → 60 s
    async with db.scoped(tenant) as s, s.begin():
        row = await s.get(User, user.id)
        assert row is not None
        row.locked_until = utcnow() - timedelta(seconds=1)
    r5 = await auth.verify_pin(tenant, user.id, "0003", "+15550778")
    assert r5.outcome == "locked" and 55 < r5.retry_after_s <= 60
    # admin reset lifts it
    await auth.reset_pin(operator(tenant), user.id, "7253")
    ok = await auth.verify_pin(tenant, user.id, "7253", "+15550779")
    assert ok.ok
    async with db.scoped(tenant) as s:
        entries = await s.execute(select(AuditEntry).where(AuditEntry.action.like("auth.%")))
        rows = entries.scalars().all()
    assert any(r.outcome == "refused" for r in rows) and any(
        r.action == "auth.pin_reset" for r in rows
    )
    assert all("7253" not in str(r.detail) and "0000" not in str(r.detail) for r in rows)


async def test_lockout_per_calling_number(seeded_db: tuple[Database, int]) -> None:
    db, tenant = seeded_db
    auth = service(db)
    users = [await auth.find_user_by_number(tenant, n) for n in ("101", "102", "103")]
    number = "+15550666"
    for u in users:  # one wrong guess per user, all from one number
        assert u is not None
        await auth.verify_pin(tenant, u.id, "1111", number)
    locked = await auth.verify_pin(tenant, None, "1111", number)
    assert locked.outcome == "locked"
    alice = users[0]
    assert alice is not None
    refused = await auth.verify_pin(tenant, alice.id, "4821", number)
    assert refused.outcome == "locked"
    assert (await auth.verify_pin(tenant, alice.id, "4821", "+15550111")).ok
    await auth.clear_number_lockout(operator(tenant), number)
    assert (await auth.verify_pin(tenant, alice.id, "4821", number)).ok
    for u in users:
        assert u is not None
        await _unlock(db, tenant, u.id, number)


async def test_unknown_user_and_bad_pins(seeded_db: tuple[Database, int]) -> None:
    db, tenant = seeded_db
    auth = service(db)
    r = await auth.verify_pin(tenant, None, "4821", "")
    assert not r.ok and r.user is None
    r = await auth.verify_pin(tenant, 10**6, "4821", "")
    assert not r.ok
    alice = await auth.find_user_by_number(tenant, "101")
    assert alice is not None
    for bad in ("12", "1234567", "abcd", "٤٨٢١", ""):
        assert not (await auth.verify_pin(tenant, alice.id, bad, "")).ok
    await _unlock(db, tenant, alice.id, "")
    with pytest.raises(InvalidInput):
        await auth.reset_pin(operator(tenant), alice.id, "12")
    member = Actor(tenant_id=tenant, user_id=alice.id + 2, role=Role.MEMBER)
    with pytest.raises(Forbidden):
        await auth.reset_pin(member, alice.id, "1357")


async def test_concurrent_wrong_pins_are_all_counted(seeded_db: tuple[Database, int]) -> None:
    import asyncio

    db, tenant = seeded_db
    auth = service(db)
    user = await auth.find_user_by_number(tenant, "105")
    assert user is not None
    results = await asyncio.gather(
        # as many as the lockout allows: none can be refused by a lock taken meanwhile
        *[auth.verify_pin(tenant, user.id, "0000", f"+1555077{i}") for i in range(3)]
    )
    assert not any(r.ok for r in results)
    async with db.scoped(tenant) as s:
        row = await s.get(User, user.id)
        assert row is not None and row.pin_failures == 3 and row.locked_until is not None
    await _unlock(db, tenant, user.id, "")
