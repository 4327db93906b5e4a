"""Keep the app's background services alive: restart one that dies, or stop the app with a
clear message when it cannot be brought back.

A service is anything started by an async ``start()`` that returns the task it runs in (the
tool server's uvicorn task, the reminder dialer's loop). :class:`Supervisor` watches those
tasks; when one ends while the app runs, it logs why and starts it again, with back-off.
After ``max_restarts`` failures within ``window_s`` it raises :class:`ServiceFailed`, whose
message says which service, where, and the last error, so ``switchboard run`` exits with one
line instead of serving calls that cannot work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

Watched = asyncio.Future[Any]
"""What a service runs in (a task is a future)."""
Starter = Callable[[], Awaitable[Watched]]


class ServiceFailed(RuntimeError):
    """A supervised service died and could not be restarted; the message says why."""


@dataclass
class _Service:
    name: str
    start: Starter
    task: Watched | None = None
    failures: list[float] = field(default_factory=list)
    restarts: int = 0


class Supervisor:
    """Watches services and restarts them; see the module docstring."""

    def __init__(
        self,
        *,
        max_restarts: int = 3,
        window_s: float = 60.0,
        backoff_s: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_restarts = max_restarts
        self.window_s = window_s
        self.backoff_s = backoff_s
        self.clock = clock
        self._services: dict[str, _Service] = {}
        self._changed = asyncio.Event()

    def watch(self, name: str, start: Starter, task: Watched) -> None:
        """Supervise a service already running in ``task`` (restarted with ``start``)."""
        self._services[name] = _Service(name, start, task)
        self._changed.set()

    def forget(self, name: str) -> None:
        """Stop supervising (the service is being stopped on purpose)."""
        self._services.pop(name, None)
        self._changed.set()

    def restarts(self, name: str) -> int:
        """How many times a service was restarted."""
        service = self._services.get(name)
        return service.restarts if service is not None else 0

    async def run(self) -> None:
        """Watch until cancelled; raises :class:`ServiceFailed` when a service cannot be kept."""
        while True:
            self._changed.clear()
            running: dict[Watched, _Service] = {
                s.task: s for s in self._services.values() if s.task is not None
            }
            waiter: Watched = asyncio.ensure_future(self._changed.wait())
            try:
                done, _ = await asyncio.wait(
                    {*running, waiter}, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                waiter.cancel()
            for task in done:
                service = running.get(task)
                if service is not None and self._services.get(service.name) is service:
                    await self._restart(service)

    async def _restart(self, service: _Service) -> None:
        cause = _cause(service.task)
        now = self.clock()
        service.failures = [t for t in service.failures if now - t < self.window_s] + [now]
        log.warning("%s stopped (%s); restarting it", service.name, cause)
        while True:
            if len(service.failures) > self.max_restarts:
                raise ServiceFailed(
                    f"{service.name} keeps failing ({len(service.failures)} times in "
                    f"{self.window_s:.0f} s); last error: {cause}"
                )
            await asyncio.sleep(self.backoff_s * 2 ** (len(service.failures) - 1))
            try:
                service.task = await service.start()
            except Exception as exc:
                cause = f"{type(exc).__name__}: {exc}"
                service.failures.append(self.clock())
                log.warning("%s did not start again (%s)", service.name, cause)
                continue
            service.restarts += 1
            log.info("%s is running again", service.name)
            return


def _cause(task: Watched | None) -> str:
    if task is None:
        return "not running"
    if task.cancelled():
        return "cancelled"
    with contextlib.suppress(asyncio.InvalidStateError):
        exc = task.exception()
        if exc is not None:
            return f"{type(exc).__name__}: {exc}"
    return "it exited"
