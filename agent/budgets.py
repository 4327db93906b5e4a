"""Time budgets of one turn: when to say "one moment", when to give up. Pure arithmetic.

Layers (inner deadlines always end before outer ones): each tool call gets
``min(tool_budget, time left in the turn)``; the turn gets ``turn_budget``; the telephony side
may keep its own, longer, call-level limits. The clock is injected, so tests need no sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

TOOL_MARGIN_S = 0.5
FILLER_TEXT = "One moment."
TIMEOUT_TEXT = "Sorry, that is taking too long. Could you say that again?"
PENDING_TEXT = (
    "Sorry, that is taking longer than it should. It may still go through, "
    "so ask me in a moment and I will check."
)


@dataclass
class TurnClock:
    """Deadlines of one turn, measured from its start."""

    turn_budget_s: float
    tool_budget_s: float
    filler_after_s: float
    now: Callable[[], float] = time.monotonic
    started: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.started = self.now()

    def elapsed(self) -> float:
        """Seconds since the turn started."""
        return self.now() - self.started

    def remaining(self) -> float:
        """Seconds left in the turn (never negative)."""
        return max(0.0, self.turn_budget_s - self.elapsed())

    def tool_deadline(self) -> float:
        """How long the next tool call may take: ends before the turn does, so a hanging tool
        is reported by its own timeout sentence rather than the turn's."""
        margin = min(TOOL_MARGIN_S, self.turn_budget_s / 4)
        return max(0.0, min(self.tool_budget_s, self.remaining() - margin))

    def next_wait(self, filler_due: bool) -> float:
        """How long to wait for the next output before acting (filler or timeout)."""
        if filler_due:
            return max(0.0, min(self.filler_after_s - self.elapsed(), self.remaining()))
        return self.remaining()

    def filler_time(self) -> bool:
        """True once the filler delay has passed."""
        return self.elapsed() >= self.filler_after_s

    def expired(self) -> bool:
        """True once the turn budget is spent."""
        return self.remaining() <= 0.0
