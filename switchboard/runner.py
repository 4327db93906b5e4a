"""Run Switchboard in the foreground: the dev PBX (supervised) and the app, until Ctrl-C."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Callable

from aiohttp import web

from ari_app.app import ConfigurationError, SwitchboardApp
from ari_app.ari.rest import AriAuthError
from switchboard.loading import load_settings
from switchboard.settings import Settings

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_CONFIG = 2


async def supervise_pbx(pbx: object, interval_s: float = 1.0) -> None:
    """Restart the dev PBX's Asterisk whenever it dies (it is our child)."""
    from freepbx.devpbx.process import DevPbx, DevPbxError

    assert isinstance(pbx, DevPbx)
    while True:
        await asyncio.sleep(interval_s)
        code = pbx.exited()
        if code is None:
            continue
        log.warning("dev PBX exited with code %s; restarting it", code)
        try:
            await asyncio.to_thread(pbx.start)
        except DevPbxError as exc:
            log.error("dev PBX restart failed: %s", exc)


async def start_console(settings: Settings) -> web.AppRunner | None:
    """Serve the agents' console in this process (``console.port`` 0: not at all)."""
    if not settings.console.port:
        return None
    from webrtc_console.web import console_origin, console_ssl_context, create_app

    runner = web.AppRunner(create_app(settings, origin=console_origin(settings)), access_log=None)
    await runner.setup()
    tls = console_ssl_context(settings)
    await web.TCPSite(runner, settings.console.host, settings.console.port, ssl_context=tls).start()
    log.info("agents' console at %s", console_origin(settings))
    return runner


async def serve(settings: Settings, *, start_pbx: bool, banner: Callable[[], None] | None) -> int:
    """Start what is needed and serve calls until cancelled; return an exit code."""
    pbx = None
    tasks: list[asyncio.Task[None]] = []
    try:
        if start_pbx and settings.pbx.mode == "dev":
            from freepbx.devpbx.process import DevPbx, DevPbxError

            pbx = DevPbx(settings)
            try:
                await asyncio.to_thread(pbx.start)
            except DevPbxError as exc:
                print(f"switchboard: the dev PBX did not start: {exc}", file=sys.stderr)
                return EXIT_CONFIG
            settings = load_settings()  # the dev PBX may have just created the ARI password
            tasks.append(asyncio.create_task(supervise_pbx(pbx)))
        app = SwitchboardApp(settings)
        try:
            await app.prepare()
        except BaseException:
            await app.rest.close()
            raise
        console = await start_console(settings)
        try:
            if banner is not None:
                banner()
            await app.run()
        finally:
            if console is not None:
                await console.cleanup()
        return EXIT_OK
    except AriAuthError:
        print(
            f"switchboard: ARI at {settings.ari_url} rejected user {settings.ari.user!r}: "
            "check SWITCHBOARD_ARI__USER / SWITCHBOARD_ARI__PASSWORD",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    except ConfigurationError as exc:
        print(f"switchboard: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    finally:
        for task in tasks:
            task.cancel()
        if pbx is not None:
            await asyncio.to_thread(pbx.stop)


def run_app(
    settings: Settings, *, start_pbx: bool = True, banner: Callable[[], None] | None = None
) -> int:
    """Blocking entry point for ``switchboard run``/``demo``; SIGINT/SIGTERM stop cleanly."""

    async def main() -> int:
        task = asyncio.create_task(serve(settings, start_pbx=start_pbx, banner=banner))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        try:
            return await task
        except asyncio.CancelledError:
            log.info("stopped")
            return EXIT_OK

    return asyncio.run(main())
