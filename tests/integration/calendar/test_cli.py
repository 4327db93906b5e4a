"""``switchboard calendar ...`` end to end against the Google stand-in (the CLI runs in a
thread with its own event loop while the stand-in serves in the test's loop)."""

from __future__ import annotations

import asyncio
import json
import signal
import ssl
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from click.testing import CliRunner

from switchboard.cli import main
from tests.fixtures.google_standin import CLIENT_ID, CLIENT_SECRET, RunningStandIn
from tests.fixtures.postgres import free_port


async def run(*args: str) -> dict[str, Any]:
    """Invoke the CLI with --json; the last line parsed."""
    result = await asyncio.to_thread(
        CliRunner().invoke, main, [*args, "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    parsed: dict[str, Any] = json.loads(result.output.strip().splitlines()[-1])
    return parsed


async def text(*args: str) -> str:
    """Invoke the CLI without --json; its output."""
    result = await asyncio.to_thread(CliRunner().invoke, main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return str(result.output)


@pytest.fixture
def cli_google(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, google: RunningStandIn
) -> RunningStandIn:
    """Environment for the CLI: a fresh state folder and the calendar aimed at the stand-in."""
    env = {
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "SWITCHBOARD_CONFIG": str(tmp_path / "none.toml"),
        "SWITCHBOARD_TOOLS__BCRYPT_ROUNDS": "4",
        "SWITCHBOARD_TOOLS__TOKEN_KEY": "cli-test-key-cli-test-key-cli-test-key",
        "SWITCHBOARD_PBX__MODE": "external",
        "SWITCHBOARD_CALENDAR__CLIENT_ID": CLIENT_ID,
        "SWITCHBOARD_CALENDAR__CLIENT_SECRET": CLIENT_SECRET,
        "SWITCHBOARD_CALENDAR__AUTH_URI": f"{google.base}/o/oauth2/auth",
        "SWITCHBOARD_CALENDAR__TOKEN_URI": f"{google.base}/token",
        "SWITCHBOARD_CALENDAR__REVOKE_URI": f"{google.base}/revoke",
        "SWITCHBOARD_CALENDAR__API_ENDPOINT": f"{google.base}/",
        "SWITCHBOARD_CALENDAR__CA_FILE": str(google.ca),
        "SWITCHBOARD_CALENDAR__RETRY_BASE_S": "0.01",
        "SWITCHBOARD_CALENDAR__FEEDS_BASE_URL": "https://cal.example.test",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return google


async def test_calendar_commands(cli_google: RunningStandIn, tmp_path: Path) -> None:
    await run("db", "upgrade")
    await run("seed", "--demo")
    started = await run("calendar", "connect", "--tenant", "demo", "--user", "101")
    ctx = ssl.create_default_context(cafile=str(cli_google.ca))
    async with (
        aiohttp.ClientSession() as http,
        http.get(started["url"], allow_redirects=False, ssl=ctx) as consent,
    ):
        redirected = consent.headers["Location"]
    finished = await run("calendar", "finish", redirected)
    assert finished["status"] == "connected"
    key = tmp_path / "state" / "switchboard" / "calendar_token.key"
    assert key.exists() and oct(key.stat().st_mode & 0o777) == "0o600"

    calendars = await run("calendar", "choose", "--tenant", "demo", "--user", "101")
    assert any(c["primary"] for c in calendars["calendars"])
    rounds = (await run("calendar", "sync"))["rounds"]
    assert len(rounds) == 1 and rounds[0]["errors"] == [] and rounds[0]["full_sync"]
    (status,) = (await run("calendar", "status", "--tenant", "demo"))["connections"]
    assert status["status"] == "connected" and status["last_sync_at"]

    for args, expect in (
        (("calendar", "status", "--tenant", "demo"), "Alice Smith (101): connected"),
        (("calendar", "sync"), "Nothing to sync."),
        (("calendar", "choose", "--tenant", "demo", "--user", "101"), "primary: Me (primary)"),
        (("calendar", "feed", "list", "--tenant", "demo"), "No feeds."),
    ):
        assert expect in await text(*args)

    made = await run("calendar", "feed", "create", "--tenant", "demo", "--team", "dev")
    assert made["url"].startswith("https://cal.example.test/feeds/") and made["team_id"]
    listed = (await run("calendar", "feed", "list", "--tenant", "demo"))["feeds"]
    assert len(listed) == 1 and "url" not in listed[0]
    revoked = await run("calendar", "feed", "revoke", "--tenant", "demo", "--team", "Dev")
    assert revoked["revoked"] == 1

    gone = await run("calendar", "disconnect", "--tenant", "demo", "--user", "101")
    assert gone["revoked_at_google"] is True
    (status,) = (await run("calendar", "status", "--tenant", "demo", "--user", "101"))[
        "connections"
    ]
    assert status["status"] == "disconnected"


async def _wait_port(port: int, timeout_s: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return
    raise AssertionError(f"nothing listening on {port}")


async def _stop(proc: asyncio.subprocess.Process) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return await asyncio.wait_for(proc.wait(), timeout=15)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise


async def test_serve_feeds_and_worker_run_as_processes(cli_google: RunningStandIn) -> None:
    await run("db", "upgrade")
    await run("seed", "--demo")
    made = await run("calendar", "feed", "create", "--tenant", "demo", "--user", "101")
    token_path = made["url"].split("/feeds/", 1)[1]
    port = free_port()
    exe = str(Path(sys.executable).parent / "switchboard")
    feeds = await asyncio.create_subprocess_exec(
        exe,
        "calendar",
        "serve-feeds",
        "--port",
        str(port),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await _wait_port(port)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/feeds/{token_path}") as reply:
                assert reply.status == 200 and "BEGIN:VCALENDAR" in await reply.text()
            async with http.get(f"http://127.0.0.1:{port}/calendar/oauth/callback") as reply:
                assert reply.status == 400
    finally:
        assert await _stop(feeds) == 0

    started = await run("calendar", "connect", "--tenant", "demo", "--user", "101")
    ctx = ssl.create_default_context(cafile=str(cli_google.ca))
    async with (
        aiohttp.ClientSession() as http,
        http.get(started["url"], allow_redirects=False, ssl=ctx) as consent,
    ):
        await run("calendar", "finish", consent.headers["Location"])
    worker = await asyncio.create_subprocess_exec(
        exe,
        "calendar",
        "worker",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            (status,) = (await run("calendar", "status", "--tenant", "demo"))["connections"]
            if status["last_sync_at"]:
                break
            await asyncio.sleep(0.1)
        assert status["last_sync_at"] and status["failures"] == 0
    finally:
        assert await _stop(worker) == 0


async def test_connect_wait_serves_the_redirect_itself(
    cli_google: RunningStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    callback = f"http://127.0.0.1:{port}/calendar/oauth/callback"
    monkeypatch.setenv("SWITCHBOARD_CALENDAR__REDIRECT_URI", callback)
    await run("db", "upgrade")
    await run("seed", "--demo")
    exe = str(Path(sys.executable).parent / "switchboard")
    proc = await asyncio.create_subprocess_exec(
        exe,
        "calendar",
        "connect",
        "--tenant",
        "demo",
        "--user",
        "102",
        "--wait",
        "--timeout",
        "60",
        "--json",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stderr is not None and proc.stdout is not None
        while True:  # the URL comes first (on stderr with --json)
            line = (await asyncio.wait_for(proc.stderr.readline(), 30)).decode()
            assert line, "connect --wait ended early"
            if line.startswith("https://"):
                break
        ctx = ssl.create_default_context(cafile=str(cli_google.ca))
        async with aiohttp.ClientSession() as http:
            async with http.get(line.strip(), allow_redirects=False, ssl=ctx) as consent:
                back = consent.headers["Location"]
            assert back.startswith(callback)
            await _wait_port(port)
            async with http.get(back) as reply:  # the browser lands on the command's callback
                assert reply.status == 200
        out = await asyncio.wait_for(proc.stdout.read(), 30)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    result = json.loads(out.decode().strip().splitlines()[-1])
    assert result["connection"]["status"] == "connected"
