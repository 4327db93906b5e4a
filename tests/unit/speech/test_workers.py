"""The models' worker threads: one job at a time, urgent first, called-off jobs dropped."""

from __future__ import annotations

import asyncio
import threading

import pytest

from ari_app.speech.workers import InferenceWorker


async def test_jobs_run_one_at_a_time_urgent_first_and_cancelled_ones_never() -> None:
    worker = InferenceWorker("test")
    gate = threading.Event()
    ran: list[str] = []

    def job(name: str) -> str:
        if name == "blocker":
            gate.wait(5)
        ran.append(name)
        return name

    blocker = asyncio.create_task(worker.run(job, "blocker"))
    await asyncio.sleep(0.05)  # the blocker is running; the rest queue behind it
    later = asyncio.create_task(worker.run(job, "later sentence", priority=1))
    dropped = asyncio.create_task(worker.run(job, "speculative", priority=0))
    urgent = asyncio.create_task(worker.run(job, "first words", priority=0))
    await asyncio.sleep(0.05)
    assert worker.queued == 4
    dropped.cancel()
    await asyncio.sleep(0.01)  # the loop carries the cancel over to the queued job
    gate.set()
    assert await urgent == "first words" and await later == "later sentence"
    await blocker
    with pytest.raises(asyncio.CancelledError):
        await dropped
    assert ran == ["blocker", "first words", "later sentence"]
    assert worker.queued == 0
    worker.close()


async def test_a_failing_job_raises_in_the_caller() -> None:
    worker = InferenceWorker("test")

    def boom() -> None:
        raise ValueError("bad audio")

    with pytest.raises(ValueError, match="bad audio"):
        await worker.run(boom)
    assert await worker.run(lambda: 42) == 42  # the thread survives it
    worker.close()
