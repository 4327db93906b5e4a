"""Migrations from the installed package: up, down, up again; append-only audit log; the
tenant guard refuses cross-tenant writes; on SQLite and PostgreSQL."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from mcp_tools.db import migrate
from mcp_tools.db.models import AuditEntry, Base, Todo, User
from mcp_tools.db.session import Database
from mcp_tools.db.tenancy import TenancyError
from tests.fixtures.mcp_env import BACKENDS, drop, make_database


@pytest.mark.parametrize("backend", BACKENDS)
async def test_upgrade_downgrade_upgrade(request: pytest.FixtureRequest, backend: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = await make_database(request, backend, Path(tmp))
        try:
            assert await migrate.current_revision(db) is None
            assert await migrate.upgrade(db) == migrate.head_revision()

            def tables(conn: object) -> set[str]:
                return set(sa_inspect(conn).get_table_names())

            async with db.engine.connect() as conn:
                present = await conn.run_sync(tables)
            assert set(Base.metadata.tables) <= present
            assert await migrate.downgrade(db, "base") == "base"
            async with db.engine.connect() as conn:
                assert not (set(Base.metadata.tables) & await conn.run_sync(tables))
            assert await migrate.upgrade(db) == migrate.head_revision()
        finally:
            await drop(request, db)


async def test_audit_log_is_append_only(seeded_db: tuple[Database, int]) -> None:
    db, tenant = seeded_db
    async with db.scoped(tenant) as s:
        entry = (await s.execute(select(AuditEntry).limit(1))).scalar_one()
        entry.outcome = "rewritten"
        with pytest.raises(TenancyError):
            await s.flush()
    if db.dialect == "postgresql":  # and in the database itself
        async with db.engine.connect() as conn:
            with pytest.raises(DBAPIError):
                await conn.execute(text("UPDATE audit_log SET outcome = 'x'"))


async def test_tenant_guard(seeded_db: tuple[Database, int]) -> None:
    db, tenant = seeded_db
    async with db.scoped(tenant) as s:
        s.add(Todo(tenant_id=tenant + 1, owner_id=1, title="elsewhere"))
        with pytest.raises(TenancyError):
            await s.flush()
    async with db.scoped(tenant) as s:
        user = (await s.execute(select(User).limit(1))).scalar_one()
        user.tenant_id = tenant + 1
        with pytest.raises(TenancyError):
            await s.flush()
    async with db.scoped(tenant + 1) as s:  # another tenant's session sees none of these
        assert (await s.execute(select(User))).scalars().all() == []
    async with db._sessions() as s:  # a session that is neither scoped nor unscoped
        with pytest.raises(TenancyError):
            await s.execute(select(User))
