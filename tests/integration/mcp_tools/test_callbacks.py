"""Callback requests become high-priority todos on the department's list, audited, scoped."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from mcp_tools.db.models import AuditEntry, Department, Todo, User
from mcp_tools.db.session import Database
from mcp_tools.errors import NotFound
from mcp_tools.services.callbacks import CallbackRequests


async def _user(db: Database, tenant: int, number: str) -> User:
    async with db.scoped(tenant) as s:
        return (await s.execute(select(User).where(User.user_number == number))).scalar_one()


async def test_callback_for_an_open_department_is_due_now(seeded_db: tuple[Database, int]) -> None:
    db, tenant = seeded_db
    alice = await _user(db, tenant, "101")
    before = datetime.now(ZoneInfo("UTC"))
    cb = await CallbackRequests(db).request(
        tenant, alice.id, "support", "+1 (555) 010-0101", reason="printer on fire", call_id="c-9"
    )
    assert cb.department == "Support"
    assert cb.title == "Call back Alice Smith on +15550100101"
    assert before - timedelta(seconds=1) <= cb.due_at <= datetime.now(ZoneInfo("UTC"))
    async with db.scoped(tenant) as s:
        todo = await s.get(Todo, cb.todo_id)
        dept = await s.get(Department, todo.department_id) if todo else None
        audit = (
            (await s.execute(select(AuditEntry).where(AuditEntry.action == "call.callback")))
            .scalars()
            .all()
        )
    assert todo is not None and dept is not None and dept.queue == "401"
    assert (todo.owner_id, todo.priority, todo.notes) == (alice.id, "high", "printer on fire")
    assert any(a.call_id == "c-9" and a.target_id == str(cb.todo_id) for a in audit)


async def test_callback_for_a_closed_department_is_due_when_it_opens(
    seeded_db: tuple[Database, int],
) -> None:
    from mcp_tools.hours import DAYS
    from mcp_tools.services.admin import Provisioning, operator

    db, tenant = seeded_db
    tz = ZoneInfo("America/New_York")
    in_two_days = datetime.now(tz) + timedelta(days=2)
    name = f"Night desk {uuid.uuid4().hex[:4]}"
    await Provisioning(db).create_department(
        operator(tenant), name, "498", {DAYS[in_two_days.weekday()]: [["10:00", "11:00"]]}
    )
    alice = await _user(db, tenant, "101")
    cb = await CallbackRequests(db).request(tenant, alice.id, name.lower(), "+15550100101")
    local = cb.due_at.astimezone(tz)
    assert (local.date(), local.hour, local.minute) == (in_two_days.date(), 10, 0)


async def test_callback_departments_are_the_tenants_own(seeded_db: tuple[Database, int]) -> None:
    from tests.fixtures.mcp_env import scratch_tenant

    db, tenant = seeded_db
    other = await scratch_tenant(db, f"cb-{uuid.uuid4().hex[:6]}")
    alice = await _user(db, tenant, "101")
    with pytest.raises(NotFound):
        await CallbackRequests(db).request(other.id, alice.id, "support", "+1555")
    with pytest.raises(NotFound):
        await CallbackRequests(db).request(tenant, alice.id, "billing", "+1555")
