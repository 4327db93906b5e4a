"""PIN guessing: parallel guesses for one user run at most the allowed number of bcrypt
checks; counts decay; PIN length is the tenant's policy; an unknown user number costs and
answers the same as a known one. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from mcp_tools import pins
from mcp_tools.db.base import utcnow
from mcp_tools.db.models import AuditEntry, PinAttempt, User
from mcp_tools.db.session import Database
from mcp_tools.errors import InvalidInput
from mcp_tools.services import auth as auth_module
from mcp_tools.services.admin import Provisioning, operator
from mcp_tools.services.auth import AuthService
from mcp_tools.tokens import TokenService
from switchboard.settings import ToolsSettings

POLICY = ToolsSettings(bcrypt_rounds=4, pin_max_failures=3, pin_lockout_base_s=30)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every bcrypt PIN verification the sign-in service runs (the real function, counted)."""
    calls: list[str] = []
    real = pins.verify_pin_async

    async def counting(pin: str, pin_hash: str | None, rounds: int = 12) -> bool:
        calls.append(pin)
        return await real(pin, pin_hash, rounds)

    monkeypatch.setattr(auth_module, "verify_pin_async", counting)
    return calls


async def _clear(db: Database, tenant: int, user_id: int) -> None:
    async with db.scoped(tenant) as s, s.begin():
        user = await s.get(User, user_id)
        assert user is not None
        user.pin_failures, user.locked_until, user.pin_failed_at = 0, None, None
        for a in (await s.execute(select(PinAttempt))).scalars():
            a.failures, a.locked_until, a.failed_at = 0, None, None


async def test_fifty_parallel_wrong_pins_run_at_most_three_checks(
    seeded_db: tuple[Database, int], counted: list[str]
) -> None:
    db, tenant = seeded_db
    auth = AuthService(db, POLICY, TokenService(b"k" * 40))
    maria = await auth.find_user_by_number(tenant, "104")
    assert maria is not None
    results = await asyncio.gather(
        *[
            auth.verify_pin(tenant, maria.id, f"{1000 + i}", f"+1555099{i:02d}", f"guess-{i}")
            for i in range(50)
        ]
    )
    assert not any(r.ok for r in results)
    assert len(counted) <= POLICY.pin_max_failures, f"{len(counted)} bcrypt checks ran"
    assert sum(r.outcome == "locked" for r in results) >= 50 - POLICY.pin_max_failures
    # the right PIN is refused while the lock lasts, without a check either
    before = len(counted)
    right = await auth.verify_pin(tenant, maria.id, "7253", "+15550114")
    assert right.outcome == "locked" and len(counted) == before
    async with db.scoped(tenant) as s:
        entries = (
            await s.execute(
                select(AuditEntry).where(
                    AuditEntry.action == "auth.pin", AuditEntry.call_id.like("guess-%")
                )
            )
        ).scalars()
        reasons = [e.detail.get("reason") for e in entries]
    assert len(reasons) == 50 and reasons.count("wrong_pin") <= POLICY.pin_max_failures
    await _clear(db, tenant, maria.id)


async def test_right_pin_among_parallel_guesses_is_refunded(
    seeded_db: tuple[Database, int], counted: list[str]
) -> None:
    db, tenant = seeded_db
    auth = AuthService(db, POLICY, TokenService(b"k" * 40))
    john = await auth.find_user_by_number(tenant, "103")
    assert john is not None
    ok, wrong = await asyncio.gather(
        auth.verify_pin(tenant, john.id, "6142", "+15550113"),
        auth.verify_pin(tenant, john.id, "0000", "+15550700"),
    )
    assert ok.ok and not wrong.ok and len(counted) == 2
    async with db.scoped(tenant) as s:
        row = await s.get(User, john.id)
        assert row is not None and row.locked_until is None and row.pin_failures <= 1
    await _clear(db, tenant, john.id)


async def test_failure_counts_decay(seeded_db: tuple[Database, int]) -> None:
    db, tenant = seeded_db
    auth = AuthService(db, POLICY, TokenService(b"k" * 40))
    dev = await auth.find_user_by_number(tenant, "105")
    assert dev is not None
    for i in range(2):
        r = await auth.verify_pin(tenant, dev.id, "0000", f"+1555088{i}")
    assert r.attempts_left == 1
    async with db.scoped(tenant) as s, s.begin():  # the last failure was 40 minutes ago
        row = await s.get(User, dev.id)
        assert row is not None
        row.pin_failed_at = utcnow() - timedelta(minutes=40)
    r = await auth.verify_pin(tenant, dev.id, "0000", "+15550889")
    assert r.outcome == "wrong_pin" and r.attempts_left == 2  # two forgiven, this one counted
    await _clear(db, tenant, dev.id)


def test_decayed_failures_rule() -> None:
    now = utcnow()
    assert pins.decayed_failures(5, now - timedelta(minutes=31), now, 900) == 3
    assert pins.decayed_failures(5, now - timedelta(minutes=5), now, 900) == 5
    assert pins.decayed_failures(2, now - timedelta(days=1), now, 900) == 0
    assert pins.decayed_failures(4, now - timedelta(days=1), now, 0) == 4


async def test_pin_length_is_the_tenants_policy(seeded_db: tuple[Database, int]) -> None:
    db, demo = seeded_db
    prov = Provisioning(db, 4)
    made = await prov.create_tenant("Strict", f"strict-{uuid.uuid4().hex[:6]}", "UTC")
    assert made.summary["pin_length"] == 6  # the default
    actor = operator(made.id)
    with pytest.raises(InvalidInput, match="6 digits"):
        await prov.create_user(actor, "Ann Short", "301", pin="4821")
    user = await prov.create_user(actor, "Ann Long", "302", pin="482193")
    auth = AuthService(db, POLICY)
    with pytest.raises(InvalidInput, match="6 digits"):
        await auth.reset_pin(actor, user.id, "1234")
    await auth.reset_pin(actor, user.id, "135791")
    assert (await auth.verify_pin(made.id, user.id, "135791", "+15553020")).ok
    # the demo tenant's policy allows its public 4-digit PINs
    alice = await auth.find_user_by_number(demo, "101")
    assert alice is not None and (await auth.verify_pin(demo, alice.id, "4821", "+15550111")).ok
    with pytest.raises(InvalidInput):
        await prov.create_tenant("Odd", f"odd-{uuid.uuid4().hex[:6]}", "UTC", pin_length=3)


async def test_unknown_user_costs_a_check_and_answers_like_a_wrong_pin(
    seeded_db: tuple[Database, int], counted: list[str]
) -> None:
    db, tenant = seeded_db
    auth = AuthService(db, POLICY, TokenService(b"k" * 40))
    alice = await auth.find_user_by_number(tenant, "101")
    assert alice is not None
    known = await auth.verify_pin(tenant, alice.id, "0000", "+15550601")
    unknown = await auth.verify_pin(tenant, None, "0000", "+15550602")
    assert len(counted) == 2
    assert (known.ok, known.outcome, known.user, known.attempts_left) == (
        unknown.ok,
        unknown.outcome,
        unknown.user,
        unknown.attempts_left,
    )
    await _clear(db, tenant, alice.id)
