"""The command line: db upgrade/status, seed --demo --json, admin commands, mint-token."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mcp_tools.db import migrate
from mcp_tools.tokens import TokenService
from switchboard.cli import main


@pytest.fixture()
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("SWITCHBOARD_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("SWITCHBOARD_TOOLS__BCRYPT_ROUNDS", "4")
    monkeypatch.setenv("SWITCHBOARD_TOOLS__TOKEN_KEY", "cli-test-key-cli-test-key-cli-test-key")
    monkeypatch.setenv("SWITCHBOARD_PBX__MODE", "external")
    return tmp_path


def run(*args: str, input: str | None = None) -> dict[str, object]:
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def test_db_seed_admin(cli_env: Path) -> None:
    up = run("db", "upgrade", "--json")
    assert up["from"] is None and up["to"] == migrate.head_revision()
    assert (cli_env / "state" / "switchboard" / "switchboard.db").exists()
    assert run("db", "status", "--json")["up_to_date"] is True

    seeded = run("seed", "--demo", "--json")
    assert seeded["created"] is True
    assert seeded["tenant"]["dids"] == ["+15550100"]  # type: ignore[index]
    queues = {d["name"]: d["queue"] for d in seeded["departments"]}  # type: ignore[attr-defined]
    assert queues == {"General": "400", "Support": "401", "Sales": "402"}
    assert all(len(u["pin"]) == 4 for u in seeded["users"])  # type: ignore[attr-defined]
    assert run("seed", "--demo", "--json")["created"] is False

    run(
        "admin",
        "create-tenant",
        "Initech",
        "--slug",
        "initech",
        "--did",
        "+15550300",
        "--timezone",
        "Europe/Berlin",
        "--json",
    )
    user = run(
        "admin",
        "create-user",
        "--tenant",
        "initech",
        "Peter Gibbons",
        "--number",
        "11",
        "--role",
        "admin",
        "--phone",
        "+15550311",
        "--json",
        input="246813\n246813\n",  # Initech keeps the default policy: 6 digits
    )
    assert user["role"] == "admin"
    run("admin", "create-team", "--tenant", "initech", "TPS", "--member", "11:owner", "--json")
    run(
        "admin",
        "create-department",
        "--tenant",
        "initech",
        "Front desk",
        "--queue",
        "410",
        "--weekdays",
        "09:00-17:00",
        "--json",
    )
    run("admin", "reset-pin", "--tenant", "initech", "11", "--pin", "135791", "--json")
    run("admin", "unlock-number", "--tenant", "initech", "+15550311", "--json")
    entries = run("admin", "audit", "--tenant", "initech", "--json")["entries"]
    actions = [e["action"] for e in entries]  # type: ignore[attr-defined]
    assert actions[:3] == ["auth.unlock_number", "auth.pin_reset", "department.create"]
    assert all(e["channel"] == "console" for e in entries)  # type: ignore[attr-defined]
    token = run("admin", "mint-token", "--tenant", "initech", "11", "--json")["token"]
    claims = TokenService(b"cli-test-key-cli-test-key-cli-test-key").verify(str(token))
    assert claims.channel == "api" and claims.role.label == "admin"


def test_admin_errors_are_one_line(cli_env: Path) -> None:
    run("db", "upgrade", "--json")
    result = CliRunner().invoke(
        main, ["admin", "reset-pin", "--tenant", "nope", "11", "--pin", "1357"]
    )
    assert result.exit_code != 0
    assert result.output.strip() == "Error: There is no tenant nope."
