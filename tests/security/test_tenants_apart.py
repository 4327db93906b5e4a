"""Tenants stay apart where the PBX is shared: queue numbers never collide across tenants;
a deactivated user loses PIN sign-in and calendar feeds at once. SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from mcp_tools.db.models import Department
from mcp_tools.db.session import Database
from mcp_tools.errors import Conflict
from mcp_tools.feeds.tokens import FeedTokens
from mcp_tools.services.admin import Provisioning, operator
from mcp_tools.services.auth import AuthService
from switchboard.settings import ToolsSettings


async def test_a_queue_number_belongs_to_one_tenant(seeded_db: tuple[Database, int]) -> None:
    db, demo = seeded_db
    prov = Provisioning(db, 4)
    other = await prov.create_tenant("Rival", f"rival-{uuid.uuid4().hex[:6]}", "UTC")
    with pytest.raises(Conflict, match="Queue number 401 is already in use"):
        await prov.create_department(operator(other.id), "Support", "401")
    async with db.unscoped() as s:
        rows = (await s.execute(select(Department).where(Department.queue == "401"))).scalars()
        assert [d.tenant_id for d in rows] == [demo]  # nothing half-made
    made = await prov.create_department(
        operator(other.id), "Support", f"7{uuid.uuid4().int % 10**5:05d}"
    )
    assert made.summary["name"] == "Support"


async def test_the_database_refuses_a_shared_queue_number(seeded_db: tuple[Database, int]) -> None:
    from sqlalchemy.exc import IntegrityError

    db, _ = seeded_db
    prov = Provisioning(db, 4)
    other = await prov.create_tenant("Racer", f"racer-{uuid.uuid4().hex[:6]}", "UTC")
    with pytest.raises(IntegrityError):  # a race past the look-up still fails
        async with db.scoped(other.id) as s, s.begin():
            s.add(Department(name="Sales", queue="402"))


async def test_deactivated_user_loses_pin_and_feeds(seeded_db: tuple[Database, int]) -> None:
    db, _ = seeded_db
    prov = Provisioning(db, 4)
    tenant = await prov.create_tenant(
        "Leavers", f"leavers-{uuid.uuid4().hex[:6]}", "UTC", pin_length=4
    )
    actor = operator(tenant.id)
    user = await prov.create_user(actor, "Lee Ving", "501", pin="2468")
    feeds = FeedTokens(db)
    token = await feeds.create(tenant.id, user_id=user.id)
    assert await feeds.resolve(token) is not None
    auth = AuthService(db, ToolsSettings(bcrypt_rounds=4))
    assert (await auth.verify_pin(tenant.id, user.id, "2468", "+15557001")).ok

    await prov.set_active(actor, user.id, False)
    assert await feeds.resolve(token) is None
    assert await auth.find_user_by_number(tenant.id, "501") is None
    refused = await auth.verify_pin(tenant.id, user.id, "2468", "+15557001")
    assert not refused.ok and refused.token is None
    log = await prov.audit_log(tenant.id, limit=10)
    assert {"user.deactivate", "feed.revoke"} <= {e["action"] for e in log}
