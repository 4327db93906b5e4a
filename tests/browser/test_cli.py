"""``switchboard console set-password | set-extension | link`` against a fresh demo database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from switchboard.cli import main
from webrtc_console.accounts import ConsoleAccounts


@pytest.fixture()
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("SWITCHBOARD_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("SWITCHBOARD_TOOLS__BCRYPT_ROUNDS", "4")
    monkeypatch.setenv("SWITCHBOARD_PBX__MODE", "external")
    monkeypatch.setenv("SWITCHBOARD_CONSOLE__ORIGIN", "https://console.example.com")
    return tmp_path


def run(*args: str, ok: bool = True) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert (result.exit_code == 0) == ok, result.output
    return result.exit_code, result.output


def test_console_accounts_from_the_command_line(cli_env: Path) -> None:
    run("db", "upgrade", "--json")
    run("seed", "--demo", "--json")
    _, out = run(
        "console", "set-password", "--tenant", "demo", "103", "--password", "a long pass", "--json"
    )
    assert json.loads(out) == {"tenant": "demo", "user": "103", "password": "set"}
    run("console", "set-extension", "--tenant", "demo", "103", "2001", "--json")
    _, out = run("console", "link", "--tenant", "demo", "103", "--json")
    link = json.loads(out)
    assert link["url"].startswith("https://console.example.com/login/link#")

    accounts = ConsoleAccounts(cli_env / "state" / "switchboard" / "console" / "accounts.json")
    (account,) = accounts.by_extension(1).values()
    assert accounts.check_password(account.tenant_id, account.user_id, "a long pass")
    assert accounts.consume_link(link["url"].rsplit("#", 1)[1]) == (1, account.user_id)

    _, out = run(
        "console", "set-password", "--tenant", "demo", "103", "--password", "short", ok=False
    )
    assert "at least 8 characters" in out
    _, out = run("console", "link", "--tenant", "demo", "999", ok=False)
    assert "No user 999" in out
    _, out = run("console", "set-extension", "--tenant", "demo", "104", "2001", ok=False)
    assert "already belongs" in out
