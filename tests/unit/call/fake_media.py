"""A media sink for playout tests that follows the real one's interface (records, no I/O)."""

from __future__ import annotations

import asyncio


class FakeSink:
    """Records what was sent; follows the real sink's interface."""

    def __init__(self) -> None:
        self.xoff = asyncio.Event()
        self.audio: list[bytes] = []
        self.commands: list[str] = []

    async def send_audio(self, data: bytes) -> None:
        self.audio.append(data)

    async def send_command(self, name: str, **params: object) -> None:
        self.commands.append(name)
