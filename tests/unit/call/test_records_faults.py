"""The call record never keeps a caller waiting: a hung or failing store is given up after
one write, and the rest of the call's writes are skipped."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from ari_app.call.records import CallRecorder
from ari_app.conversation.stages import TurnTimeline


class HungStore:
    """A database that accepts the call's start, then hangs on every write."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    async def start(self, *args: Any, **kwargs: Any) -> None:
        self.writes.append("start")

    async def identify(self, *args: Any) -> None:
        self.writes.append("identify")
        await asyncio.sleep(60)

    async def append_turn(self, *args: Any) -> int:
        self.writes.append("turn")
        await asyncio.sleep(60)
        return 0

    async def finish(self, *args: Any) -> None:
        self.writes.append("finish")
        await asyncio.sleep(60)


async def test_a_hung_store_costs_one_timeout_not_one_per_write() -> None:
    store = HungStore()
    recorder = CallRecorder(store, 1, "c1", timeout_s=0.2)
    await recorder.start("+1555", "+1556")
    began = time.monotonic()
    await recorder.identify(7)
    await recorder.turns([TurnTimeline(i, caller_text=f"turn {i}") for i in range(5)])
    await recorder.finish("transferred")
    assert time.monotonic() - began < 1.0
    assert recorder.broken and store.writes == ["start", "identify"]
