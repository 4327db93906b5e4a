"""The agent's typed vocabulary towards the telephony side: what one turn yields.

A turn (``AgentSession.turn``) yields, in order of occurrence:

- :class:`Sentence`: text to speak now (the first one as early as possible),
- :class:`Filler`: a short "one moment" line when nothing has been said for a while,
- :class:`ToolStarted` / :class:`ToolFinished`: tool calls with their timings (for logs,
  the console and tests; not to be spoken),
- exactly one :class:`TurnResult` last: the whole reply, an optional
  :class:`TransferAction` with a hand-off summary, timings and an error code if any.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ErrorCode = Literal["timeout", "model_unavailable", "garbled_reply", "tools_unavailable", "failed"]


@dataclass(frozen=True)
class Sentence:
    """One sentence to speak."""

    text: str
    index: int
    """0 for the first sentence of the turn."""
    at_s: float
    """Seconds since the turn started."""


@dataclass(frozen=True)
class Filler:
    """A holding line ("One moment.") said because the turn is slow."""

    text: str
    at_s: float


@dataclass(frozen=True)
class ToolStarted:
    """A tool call began."""

    call_id: str
    name: str
    args: dict[str, Any]
    at_s: float
    probe: bool = False
    """True for a look-up the agent made on the caller's behalf (the same action on another
    kind of item, when the first kind did not know it), not for the action itself."""


@dataclass(frozen=True)
class ToolFinished:
    """A tool call ended (or was given up on: ``code == "timeout"``)."""

    call_id: str
    name: str
    args: dict[str, Any]
    ok: bool
    text: str
    """The tool's short sentence, or the error sentence."""
    elapsed_s: float
    code: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    probe: bool = False


@dataclass(frozen=True)
class TransferAction:
    """Put the caller through to a human department (the telephony side carries it out)."""

    department: str
    queue: str
    context: str = "ext-queues"
    extension: str = ""
    reason: str | None = None
    open_now: bool = True
    """False: the department is closed (offer a callback instead of queueing)."""
    opens: str = ""
    """When a closed department opens, as spoken ("Monday at 8:00 AM")."""

    @classmethod
    def from_data(cls, action: dict[str, Any]) -> TransferAction:
        """From the ``action`` the transfer tool returns."""
        queue = str(action.get("queue", ""))
        return cls(
            department=str(action.get("department", "")),
            queue=queue,
            context=str(action.get("context") or "ext-queues"),
            extension=str(action.get("extension") or queue),
            reason=action.get("reason"),
            open_now=action.get("open_now", True) is not False,
            opens=str(action.get("opens") or ""),
        )


@dataclass(frozen=True)
class TurnTimings:
    """Where the time of one turn went."""

    total_s: float
    first_sentence_s: float | None
    filler_s: float | None
    model_calls: int
    tool_calls: int
    tool_s: float


@dataclass(frozen=True)
class TurnResult:
    """The end of a turn: always the last output."""

    text: str
    """Everything said this turn (fillers excluded)."""
    transfer: TransferAction | None
    summary: str | None
    """2–3 sentences for the human agent when ``transfer`` is set."""
    timings: TurnTimings
    error: ErrorCode | None = None
    tool_calls: tuple[ToolFinished, ...] = ()
    hangup: bool = False
    """The caller is done ("thanks, that's all"): hang up once the reply is spoken."""


AgentOutput = Sentence | Filler | ToolStarted | ToolFinished | TurnResult
"""Anything ``AgentSession.turn`` yields."""
