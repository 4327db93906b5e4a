"""Operator provisioning: role ceilings, clashes and validation, all with one-sentence errors."""

from __future__ import annotations

import uuid

import pytest

from mcp_tools.db.session import Database
from mcp_tools.errors import Conflict, Forbidden, InvalidInput
from mcp_tools.policy import Actor, Role
from mcp_tools.services.admin import Provisioning, operator


async def test_provisioning_rules(seeded_db: tuple[Database, int]) -> None:
    db, tenant = seeded_db
    prov = Provisioning(db, bcrypt_rounds=4)
    admin = Actor(tenant_id=tenant, user_id=2, role=Role.ADMIN, channel="console")
    member = Actor(tenant_id=tenant, user_id=3, role=Role.MEMBER, channel="console")
    with pytest.raises(InvalidInput):
        await prov.create_user(admin, "Big Boss", "150", role="owner", pin="1234")
    with pytest.raises(Forbidden):
        await prov.create_user(member, "Someone", "151", pin="1234")
    with pytest.raises(Conflict):
        await prov.create_user(admin, "Clone", "101", pin="1234")
    with pytest.raises(InvalidInput):
        await prov.create_user(admin, "Bad pin", "152", pin="12")
    with pytest.raises(InvalidInput):
        await prov.create_user(admin, "Bad number", "x1", pin="1234")
    made = await prov.create_user(admin, "New Hire", "153", pin="1234", phones=["+1 (555) 0199"])
    assert made.summary["phones"] == ["+15550199"]
    with pytest.raises(Conflict):
        await prov.create_tenant("Dup", f"dup-{uuid.uuid4().hex[:4]}", "UTC", ["+15550100"])
    with pytest.raises(InvalidInput):
        await prov.create_tenant("Tz", f"tz-{uuid.uuid4().hex[:4]}", "Nowhere/Land")
    with pytest.raises(InvalidInput):
        await prov.create_department(operator(tenant), "Odd", "4x0")
    with pytest.raises(InvalidInput):
        await prov.create_department(operator(tenant), "Odd", "490", {"mon": [["17:00", "9:00"]]})
    with pytest.raises(InvalidInput):
        await prov.create_department(operator(tenant), "Odd", "490", {"mon": "always"})
    await prov.set_active(admin, made.id, False)
    entries = await prov.audit_log(tenant, limit=5)
    assert entries[0]["action"] == "user.deactivate" and entries[0]["channel"] == "console"
