"""``/metrics`` (Prometheus) and ``/healthz`` over aiohttp, on a local port."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from ari_app.observe.metrics import Metrics


def metrics_app(metrics: Metrics, healthy: Callable[[], bool]) -> web.Application:
    """The aiohttp application serving the two endpoints."""

    async def get_metrics(request: web.Request) -> web.Response:
        return web.Response(
            body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    async def get_health(request: web.Request) -> web.Response:
        ok = healthy()
        return web.json_response({"ok": ok}, status=200 if ok else 503)

    app = web.Application()
    app.router.add_get("/metrics", get_metrics)
    app.router.add_get("/healthz", get_health)
    return app


class MetricsServer:
    """Runs :func:`metrics_app` on ``host:port`` inside the current event loop."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self.runner = web.AppRunner(app, access_log=None)
        self.host = host
        self.port = port

    async def start(self) -> None:
        """Listen."""
        await self.runner.setup()
        await web.TCPSite(self.runner, self.host, self.port).start()

    async def stop(self) -> None:
        """Stop listening."""
        await self.runner.cleanup()
