"""One worker thread per model: bounded threads, and queued work that can be called off.

Each speech model shared by the calls (Whisper, Piper, the turn-end model) gets one
:class:`InferenceWorker`: a single thread that runs the model's blocking calls one at a time,
in the order asked. Compared with ``asyncio.to_thread`` plus a lock, the number of threads is
fixed (one per model, whatever the number of calls), and work that is still queued when its
caller gives up (a speculative recognition the caller's next words made useless, a hung-up
call) is dropped instead of being run for nobody: cancelling the awaiting task cancels the
queued job. A job already running finishes; its result is discarded.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class InferenceWorker:
    """A single named thread running blocking model calls in order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._queued = 0

    @property
    def queued(self) -> int:
        """Jobs asked for and not finished (running included)."""
        return self._queued

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn(*args, **kwargs)`` on the worker; cancelling this drops it if not started."""
        loop = asyncio.get_running_loop()
        self._queued += 1
        try:
            return await loop.run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))
        finally:
            self._queued -= 1

    def close(self) -> None:
        """Stop taking work; queued jobs are dropped, a running one finishes."""
        self._pool.shutdown(wait=False, cancel_futures=True)
