"""Nothing stops silently: the tool server's task dying is restarted (and, when it cannot be,
the app stops with one clear line); a failed ARI request while connecting is retried instead
of ending the app. Real uvicorn tool server; real Asterisk behind a fault proxy."""

from __future__ import annotations

import asyncio
import socket
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import SecretStr

from ari_app.supervise import ServiceFailed, Supervisor
from mcp_tools.app import HttpToolServer, ToolsApp
from switchboard.settings import Settings
from tests.fixtures.postgres import free_port
from tests.security.faultproxy import FaultProxy


async def _answers(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2) as http:
            return (await http.post(url, json={})).status_code == 401  # alive, wants a token
    except httpx.HTTPError:
        return False


async def test_a_dead_tool_server_is_restarted_then_given_up_with_a_clear_message() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/t.db"
        settings = Settings(state_dir=Path(tmp), database={"url": SecretStr(url)})  # type: ignore[arg-type]
        tools = ToolsApp.from_settings(settings)
        port = free_port()
        servers: list[HttpToolServer] = []

        async def start() -> asyncio.Future[object]:  # as the app does it
            if servers:
                await servers[-1].stop()
            server = HttpToolServer(tools.server("127.0.0.1", port), "127.0.0.1", port)
            await server.start()
            servers.append(server)
            return server.task

        supervisor = Supervisor(max_restarts=2, backoff_s=0.05)
        supervisor.watch("the tool server", start, await start())
        watching = asyncio.create_task(supervisor.run())
        endpoint = f"http://127.0.0.1:{port}/mcp"
        try:
            assert await _answers(endpoint)
            servers[-1].task.cancel()  # the server's task dies
            async with asyncio.timeout(10):
                while supervisor.restarts("the tool server") < 1 or not await _answers(endpoint):
                    await asyncio.sleep(0.05)
            # now it dies and its port is taken by someone else: it cannot come back
            await servers[-1].stop()
            squatter = socket.socket()
            squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            squatter.bind(("127.0.0.1", port))
            squatter.listen()
            try:
                with pytest.raises(ServiceFailed) as failed:
                    async with asyncio.timeout(20):
                        await watching
            finally:
                squatter.close()
            message = str(failed.value)
            assert "the tool server keeps failing" in message
            assert f"could not start on http://127.0.0.1:{port}/mcp" in message
        finally:
            watching.cancel()
            for server in servers:
                await server.stop()
            await tools.db.dispose()


@pytest.mark.pbx
@pytest.mark.slow
async def test_a_failed_ari_request_while_connecting_is_retried(ari_settings: Settings) -> None:
    from ari_app.app import SwitchboardApp

    parts = urlsplit(ari_settings.ari_url)
    proxy = await FaultProxy(
        (parts.hostname or "127.0.0.1", parts.port or 80), only=b"GET /ari/asterisk/info"
    ).start()
    proxy.hanging = True  # Asterisk's info request never answers
    settings = ari_settings.model_copy(
        update={
            "ari": ari_settings.ari.model_copy(
                update={
                    "url": f"http://127.0.0.1:{proxy.port}",
                    "app": "switchboard-fault-test",  # not the session's app
                    "request_timeout_s": 1.0,
                    "reconnect_max_s": 1.0,
                }
            ),
            "call": ari_settings.call.model_copy(update={"mode": "echo", "agent": "standin"}),
            "observe": ari_settings.observe.model_copy(update={"metrics_port": 0}),
        }
    )
    app = SwitchboardApp(settings)
    running = asyncio.create_task(app.run())
    try:
        async with asyncio.timeout(20):
            while app.events.connections < 2:  # connected, the info request failed, again
                assert not running.done(), running
                await asyncio.sleep(0.1)
        assert not app.asterisk_version
        proxy.hanging = False
        async with asyncio.timeout(20):
            while not app.asterisk_version or not app.events.connected.is_set():
                assert not running.done(), running
                await asyncio.sleep(0.1)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await proxy.close()
