"""One worker thread per model: bounded threads, urgent work first, and work called off.

Each speech model shared by the calls (Whisper, Piper, the turn-end model) gets one
:class:`InferenceWorker`: a single thread that runs the model's blocking calls one at a time.
Compared with ``asyncio.to_thread`` plus a lock:

* the number of threads is fixed (one per model, whatever the number of calls);
* jobs run in order of ``priority`` (lower first), then of arrival: a reply's first words,
  which a caller is waiting for in silence, go before another call's third sentence, which
  has seconds of audio ahead of it;
* a job still queued when its caller gives up (a speculative recognition the caller's next
  words made useless, a cut reply, a hung-up call) is dropped instead of being run for
  nobody: cancelling the awaiting task cancels the queued job. A job already running
  finishes; its result is discarded.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_Job = tuple[int, int, "concurrent.futures.Future[Any] | None", "Callable[[], Any] | None"]


class InferenceWorker:
    """A single named thread running blocking model calls, most urgent first."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._jobs: queue.PriorityQueue[_Job] = queue.PriorityQueue()
        self._seq = itertools.count()
        self._queued = 0
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    @property
    def queued(self) -> int:
        """Jobs asked for and not finished (running included)."""
        return self._queued

    async def run(self, fn: Callable[..., T], *args: Any, priority: int = 0) -> T:
        """Run ``fn(*args)`` on the worker; cancelling this drops it if not started."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._queued += 1
        self._jobs.put((priority, next(self._seq), future, lambda: fn(*args)))
        try:
            return await asyncio.wrap_future(future)
        finally:
            self._queued -= 1

    def close(self) -> None:
        """Stop the thread after the jobs already queued."""
        self._jobs.put((1 << 30, next(self._seq), None, None))

    def _serve(self) -> None:
        while True:
            _, _, future, job = self._jobs.get()
            if future is None or job is None:
                return
            if not future.set_running_or_notify_cancel():
                continue  # called off while queued
            try:
                future.set_result(job())
            except BaseException as exc:  # handed to the awaiting task
                future.set_exception(exc)
