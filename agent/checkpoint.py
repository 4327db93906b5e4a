"""Where conversation state is checkpointed: SQLite by default, PostgreSQL in production.

``checkpoint_url`` empty → ``<state_dir>/agent_state.db`` (langgraph's SQLite saver);
``sqlite:///path`` → that file (``sqlite:///:memory:`` for tests); ``postgresql://...`` →
langgraph's PostgreSQL saver (tables created on first use). SQLite files are 0600: they hold
what callers said.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver

from switchboard.settings import Settings


def checkpoint_url(settings: Settings) -> str:
    """The checkpoint store URL in force."""
    return settings.agent.checkpoint_url or f"sqlite:///{settings.state_dir / 'agent_state.db'}"


@contextlib.asynccontextmanager
async def open_checkpointer(url: str) -> AsyncIterator[BaseCheckpointSaver[str]]:
    """An open checkpointer for ``url`` for the duration of the block."""
    if url.startswith(("postgresql://", "postgres://", "postgresql+asyncpg://")):
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        conn = url.replace("postgresql+asyncpg://", "postgresql://")
        async with AsyncPostgresSaver.from_conn_string(conn) as saver:
            await saver.setup()
            yield saver
        return
    if not url.startswith("sqlite:///"):
        raise ValueError(f"unsupported checkpoint URL scheme: {url.split(':', 1)[0]}")
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    path = url.removeprefix("sqlite:///")
    if path != ":memory:":
        private(Path(path))
    async with AsyncSqliteSaver.from_conn_string(path) as saver:
        if path != ":memory:":
            private(Path(path))  # the WAL and shared-memory files SQLite has made by now
        yield saver


def private(db: Path) -> None:
    """The conversation store holds what callers said: its files are the owner's only (0600)."""
    db.parent.mkdir(parents=True, exist_ok=True)
    db.touch(mode=0o600, exist_ok=True)
    for file in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        if file.exists():
            os.chmod(file, 0o600)
