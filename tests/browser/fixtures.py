"""Fixtures for the console's browser tests: a seeded database, the console server, chromium.

The browser is Debian's ``/usr/bin/chromium`` driven by Playwright (never a downloaded one),
with fake media devices: its microphone plays ``BROWSER_TONE_HZ`` so the caller's recording
can prove audio reached them. The console runs in the test session's event loop on a free
port, against the session's dev PBX.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from mcp_tools.db import migrate
from mcp_tools.db.session import Database
from mcp_tools.seed import seed_demo
from switchboard.callers.audio import write_tone_wav
from switchboard.settings import Settings
from webrtc_console.accounts import ConsoleAccounts
from webrtc_console.web import APP_KEY, create_app

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_TONE_HZ = 1000.0
DIST = Path(__file__).resolve().parents[2] / "webrtc_console" / "static" / "dist" / "console.js"
PASSWORD = "correct horse battery"
TENANT = "demo"


@dataclass(frozen=True)
class Agent:
    """A demo person with a console password and (maybe) an extension."""

    user_number: str
    name: str
    extension: str = ""


AGENT_A = Agent("103", "John Park", "2001")
AGENT_B = Agent("104", "Maria Garcia", "2002")
SUPERVISOR = Agent("101", "Alice Smith")


class Clock:
    """A monotonic clock the tests can move forward (session expiry)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


@dataclass
class ConsoleServer:
    """The running console."""

    url: str
    db: Database
    tenant_id: int
    accounts: ConsoleAccounts
    clock: Clock
    settings: Settings
    app: web.Application


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def console_bundle() -> Path:
    """The esbuild bundle (``make console-bundle``); tests skip without it."""
    if not DIST.exists():
        pytest.skip("the console bundle is not built (make console-bundle)")
    return DIST


@pytest.fixture(scope="session")
async def console_server(
    ari_settings: Settings, console_bundle: Path
) -> AsyncIterator[ConsoleServer]:
    """The console on a free port, over a fresh demo-seeded SQLite database."""
    with tempfile.TemporaryDirectory(prefix="sb-console-") as tmp:
        db = Database(f"sqlite+aiosqlite:///{tmp}/console.db")
        await migrate.upgrade(db)
        demo = await seed_demo(db, 4)
        tenant_id = int(demo["tenant"]["id"])
        accounts = ConsoleAccounts(Path(tmp) / "accounts.json", bcrypt_rounds=4)
        from webrtc_console.directory import Directory

        directory = Directory(db)
        for agent in (AGENT_A, AGENT_B, SUPERVISOR):
            person = await directory.person(TENANT, agent.user_number)
            assert person is not None and person.name == agent.name
            accounts.set_password(tenant_id, person.user_id, PASSWORD)
            if agent.extension:
                accounts.set_extension(tenant_id, person.user_id, agent.extension)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        clock = Clock()
        app = create_app(ari_settings, db=db, accounts=accounts, origin=url, clock=clock)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            yield ConsoleServer(url, db, tenant_id, accounts, clock, ari_settings, app)
        finally:
            await runner.cleanup()
            await db.dispose()


@pytest.fixture(scope="session")
async def chromium(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Any]:
    """Debian's chromium under Playwright, fake microphone playing a steady tone."""
    if shutil.which(str(CHROMIUM)) is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.async_api import async_playwright

    folder = tmp_path_factory.mktemp("chromium")
    tone = write_tone_wav(folder / "mic.wav", BROWSER_TONE_HZ, 30.0, rate=48000, amplitude=0.3)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-audio-capture={tone}",
                "--ignore-certificate-errors",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        try:
            yield browser
        finally:
            await browser.close()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
async def open_page(
    chromium: Any, console_server: ConsoleServer
) -> AsyncIterator[Callable[[], Awaitable[Any]]]:
    """Open pages, each in a fresh browser context (own cookies); all closed afterwards."""
    contexts: list[Any] = []

    async def factory() -> Any:
        context = await chromium.new_context(
            ignore_https_errors=True,
            permissions=["microphone"],
            base_url=console_server.url,
            viewport={"width": 1280, "height": 860},
        )
        contexts.append(context)
        page = await context.new_page()
        page.set_default_timeout(15000)
        return page

    yield factory
    for context in contexts:
        for page in context.pages:
            # Unregister cleanly so Asterisk forgets the contact before the next test.
            with contextlib.suppress(Exception):
                await page.evaluate(
                    "() => { const s = window.switchboard; if (s && s.phone) s.phone.stop(); }"
                )
        await context.close()
    console_server.clock.offset = 0.0
    console = console_server.app[APP_KEY]
    console.statuses.clear()  # each test's agents start available, in Asterisk too
    with contextlib.suppress(Exception):
        for agent in (AGENT_A, AGENT_B):
            await console.pbx.set_paused(agent.extension, False, console.settings.console.queues)


async def sign_in(page: Any, agent: Agent, *, password: str = PASSWORD) -> None:
    """Sign in through the form."""
    await page.goto("/login")
    await page.fill("#tenant", TENANT)
    await page.fill("#user", agent.user_number)
    await page.fill("#password", password)
    await page.click("#sign-in")


async def sign_in_agent(open_page: Callable[[], Awaitable[Any]], agent: Agent) -> Any:
    """A page with the agent signed in and registered over WSS."""
    page = await open_page()
    await sign_in(page, agent)
    await page.wait_for_url("**/console")
    await page.wait_for_selector("#reg-state[data-state=registered]", timeout=20000)
    await page.wait_for_selector("#status-now[data-status=available]")
    return page


@pytest.fixture
def images_dir(tmp_path: Path) -> Iterator[Path]:
    """Where screenshots go: ``docs/images`` (the README's) when
    ``SWITCHBOARD_UPDATE_SCREENSHOTS=1``, else the test's temp folder (a clean tree)."""
    if os.environ.get("SWITCHBOARD_UPDATE_SCREENSHOTS") == "1":
        folder = Path(__file__).resolve().parents[2] / "docs" / "images"
    else:
        folder = tmp_path / "images"
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
