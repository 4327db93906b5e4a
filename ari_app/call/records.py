"""Write a call's record (who, when, turns, tool calls, outcome, stage latencies).

Best effort: the record never breaks a call, so every write is guarded, bounded in time and
logged; after one failed write (the database is down or hung) the rest of the call's writes
are skipped, so a caller is never kept waiting on a record that cannot be written. Turns are
written when the conversation ends (and before a transfer, so the human agent's screen-pop
has them); caller text the conversation withheld (PIN, user number) stays withheld.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ari_app.conversation.stages import TurnTimeline

log = logging.getLogger(__name__)


class CallRecordStore(Protocol):
    """The narrow data-side interface for call records (``mcp_tools`` CallRecords fits)."""

    async def start(
        self,
        tenant_id: int,
        call_id: str,
        caller_number: str,
        did: str,
        *,
        direction: str = "inbound",
        user_id: int | None = None,
    ) -> None:
        """A call began (``outbound``: a call-out to ``caller_number`` for ``user_id``)."""
        ...

    async def identify(self, tenant_id: int, call_id: str, user_id: int) -> None:
        """The caller signed in as ``user_id``."""
        ...

    async def append_turn(
        self,
        tenant_id: int,
        call_id: str,
        speaker: str,
        text: str,
        timings: dict[str, float] | None = None,
    ) -> int:
        """One utterance."""
        ...

    async def finish(
        self,
        tenant_id: int,
        call_id: str,
        outcome: str,
        summary: str = "",
        timings: dict[str, Any] | None = None,
        transferred_to: str | None = None,
    ) -> None:
        """How the call ended."""
        ...


class CallRecorder:
    """The record of one call in one tenant."""

    def __init__(
        self,
        store: CallRecordStore,
        tenant_id: int,
        call_id: str,
        *,
        timeout_s: float = 5.0,
        give_up_if: Callable[[], bool] | None = None,
    ) -> None:
        self.store = store
        self.tenant_id = tenant_id
        self.call_id = call_id
        self.timeout_s = timeout_s
        self.give_up_if = give_up_if
        """Skip writing once this says so (the call already found the database away)."""
        self.broken = False
        """A write failed or timed out: the record is given up for this call."""
        self._started = False
        self._written_turns = 0

    async def start(
        self,
        caller_number: str,
        did: str,
        *,
        direction: str = "inbound",
        user_id: int | None = None,
    ) -> None:
        """Record the call's start."""
        self._started = await self._guard(
            "start",
            self.store.start(
                self.tenant_id,
                self.call_id,
                caller_number,
                did,
                direction=direction,
                user_id=user_id,
            ),
        )

    async def identify(self, user_id: int) -> None:
        """Record who signed in."""
        if self._started:
            await self._guard(
                "identify", self.store.identify(self.tenant_id, self.call_id, user_id)
            )

    async def turns(self, timelines: Sequence[TurnTimeline]) -> None:
        """Write the turns not yet written: what the caller said, what they heard."""
        if not self._started:
            return
        for timeline in timelines[self._written_turns :]:
            timings = {k: float(v) for k, v in timeline.latencies_ms().items()}
            if timeline.caller_text:
                await self._guard(
                    "turn",
                    self.store.append_turn(
                        self.tenant_id, self.call_id, "caller", timeline.caller_text, timings
                    ),
                )
            spoken = timeline.heard_text or timeline.said_text
            if spoken:
                await self._guard(
                    "turn",
                    self.store.append_turn(self.tenant_id, self.call_id, "assistant", spoken),
                )
        self._written_turns = len(timelines)

    async def finish(
        self,
        outcome: str,
        *,
        summary: str = "",
        timings: dict[str, Any] | None = None,
        transferred_to: str | None = None,
    ) -> None:
        """Record the outcome."""
        if self._started:
            await self._guard(
                "finish",
                self.store.finish(
                    self.tenant_id, self.call_id, outcome, summary, timings, transferred_to
                ),
            )

    async def _guard(self, what: str, coro: Any) -> bool:
        if self.give_up_if is not None and self.give_up_if():
            self.broken = True
        if self.broken:
            coro.close()
            return False
        try:
            async with asyncio.timeout(self.timeout_s):
                await coro
        except Exception as exc:
            self.broken = True
            log.warning(
                "call %s: writing the call record (%s) failed (%r); skipping the rest",
                self.call_id,
                what,
                exc,
            )
            return False
        return True
