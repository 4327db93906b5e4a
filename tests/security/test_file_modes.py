"""App-side secrets and the embedded database are readable by their owner only (0600), new
or found wider."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import text

from mcp_tools.db.session import Database
from mcp_tools.tokens import load_token_key
from switchboard.settings import Settings
from webrtc_console.accounts import ConsoleAccounts


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _private_or_absent(path: Path) -> bool:
    return not path.exists() or _mode(path) == 0o600


async def test_sqlite_database_and_its_wal_are_private(tmp_path: Path) -> None:
    path = tmp_path / "state" / "switchboard.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
            await conn.execute(text("INSERT INTO t VALUES (1)"))
        assert _mode(path) == 0o600
        assert _private_or_absent(Path(f"{path}-wal"))
    finally:
        await db.dispose()
    path.chmod(0o644)  # an older install's database is tightened when opened
    again = Database(f"sqlite+aiosqlite:///{path}")
    await again.dispose()
    assert _mode(path) == 0o600


def test_token_key_and_console_accounts_are_private(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path)
    load_token_key(settings)
    key = tmp_path / "tool_token.key"
    assert _mode(key) == 0o600
    key.chmod(0o644)
    load_token_key(settings)
    assert _mode(key) == 0o600
    accounts = ConsoleAccounts(tmp_path / "console" / "accounts.json", bcrypt_rounds=4)
    accounts.set_password(1, 2, "a long enough password")
    assert _mode(tmp_path / "console" / "accounts.json") == 0o600
