"""The engine and session factory: SQLite (embedded default) or PostgreSQL via asyncpg."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from mcp_tools.db.tenancy import TENANT_KEY, UNSCOPED_KEY, TenantSession
from switchboard.settings import Settings


def database_url(settings: Settings) -> str:
    """The async URL in force: the configured one, else SQLite in the state folder."""
    if settings.database.url is not None:
        return settings.database.url.get_secret_value()
    return f"sqlite+aiosqlite:///{settings.state_dir / 'switchboard.db'}"


class Database:
    """One engine plus a factory for tenant-scoped (or explicitly unscoped) sessions."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        pool_size: int = 10,
        connect_timeout_s: float = 5.0,
        statement_timeout_s: float = 10.0,
    ) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo}
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                _private_file(Path(parsed.database))
            kwargs["connect_args"] = {"timeout": 30}
        else:
            # A database that is down fails fast, one that hangs fails the statement (not the
            # call), and connections that died with a restart are replaced before use.
            kwargs.update(
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_pre_ping=True,
                pool_timeout=connect_timeout_s,
                connect_args=_connect_args(self.dialect, connect_timeout_s, statement_timeout_s),
            )
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.dialect == "sqlite":
            _sqlite_setup(self.engine)
        self._sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=TenantSession
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The database the settings name."""
        database = settings.database
        return cls(
            database_url(settings),
            echo=database.echo,
            pool_size=database.pool_size,
            connect_timeout_s=database.connect_timeout_s,
            statement_timeout_s=database.statement_timeout_s,
        )

    def scoped(self, tenant_id: int) -> AsyncSession:
        """A session that can only see and write rows of ``tenant_id``."""
        return self._sessions(info={TENANT_KEY: int(tenant_id)})

    def unscoped(self) -> AsyncSession:
        """A cross-tenant session, for the few look-ups that precede knowing the tenant."""
        return self._sessions(info={UNSCOPED_KEY: True})

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def _connect_args(dialect: str, connect_s: float, statement_s: float) -> dict[str, Any]:
    """Driver options that bound connecting and each statement (asyncpg's names)."""
    if dialect != "postgresql":
        return {}
    return {"timeout": connect_s, "command_timeout": statement_s}


def _private_file(path: Path) -> None:
    """The SQLite database is readable by its owner only (0600); SQLite gives its WAL and
    shared-memory files the database's mode. Existing files are tightened too."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists() and name.stat().st_mode & 0o077:
            name.chmod(0o600)


def _sqlite_setup(engine: AsyncEngine) -> None:
    """WAL, foreign keys, and BEGIN IMMEDIATE so concurrent writers queue instead of failing."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
