"""A reply paused by a possible interruption, and the one timer that resumes it.

The barge-in decision pauses the answer at the first clear speech; what happens next depends
on the words (:func:`~ari_app.speech.bargein.judge_interruption`), which come later. Meanwhile
exactly one deadline is armed, and re-armed as the picture changes:

* a sound too short to become an utterance (a click, a cough) resumes after ``quiet_s`` of
  quiet; speech starting again first keeps the pause (the "Stop." of "Stop. Tell me …" used
  to resume at once and be cut again a moment later: a blip of answer between the two);
* an utterance under way keeps the pause until its words are judged, with ``words_s`` as
  a safety net should they never come;
* "stop." alone holds the pause ``hold_s`` for the request that may follow, then resumes.

Resuming goes back to the start of the sentence that was cut (:meth:`Playout.resume`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from ari_app.conversation.playout import Playout


@dataclass(frozen=True)
class HoldTimes:
    """How long a paused answer waits in each case (seconds)."""

    quiet_s: float = 0.5
    words_s: float = 4.0
    hold_s: float = 3.0


class HeldReply:
    """The paused state of the current reply and its resume deadline."""

    def __init__(self, playout: Playout, times: HoldTimes | None = None) -> None:
        self.playout = playout
        self.times = times or HoldTimes()
        self._deadline: asyncio.TimerHandle | None = None
        self._resuming: asyncio.Task[None] | None = None
        self.long_speech = False
        """The speech that paused it reached the confirmation length (surely words)."""

    @property
    def paused(self) -> bool:
        """True while the reply is paused."""
        return self.playout.paused

    async def pause(self) -> bool:
        """Pause the reply now; False when it already was (nothing changes then)."""
        self.keep()
        if self.playout.paused:
            return False
        self.long_speech = False
        await self.playout.pause()
        return True

    def keep(self) -> None:
        """Stay paused with no deadline (speech is going on)."""
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def resume_after(self, seconds: float) -> None:
        """Resume in ``seconds`` unless something decides sooner."""
        self.keep()
        if self.playout.paused:
            loop = asyncio.get_running_loop()
            self._deadline = loop.call_later(seconds, self._fire)

    async def resume(self) -> None:
        """Resume now (from the start of the sentence that was cut)."""
        self.keep()
        self.long_speech = False
        if self.playout.paused:
            await self.playout.resume()

    def close(self) -> None:
        """Drop the deadline (the call or the reply is over)."""
        self.keep()
        if self._resuming is not None:
            self._resuming.cancel()

    def _fire(self) -> None:
        self._deadline = None
        self._resuming = asyncio.create_task(self.resume())
