"""What the conversation needs from an agent (the real LangGraph agent or a stand-in).

An agent turn streams :class:`Say` items (sentences, as early as possible; ``filler`` for a
"one moment" line) and ends with one :class:`TurnEnd`, which may carry a transfer to a
department queue or ask to hang up after speaking.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Say:
    """Text to speak now."""

    text: str
    filler: bool = False


@dataclass(frozen=True)
class TransferRequest:
    """Move the caller to a department queue (``ext-queues,<queue>,1``)."""

    department: str
    queue: str
    summary: str = ""
    open_now: bool = True
    """False when the department is closed (the caller is offered a callback instead)."""
    opens: str = ""
    """When a closed department opens, as spoken ("Monday at 8:00 AM")."""


@dataclass(frozen=True)
class ToolUsed:
    """The agent finished a tool call (not spoken; for stage events, records, Sentry)."""

    name: str
    ok: bool
    elapsed_s: float
    code: str | None = None


@dataclass(frozen=True)
class TurnEnd:
    """The agent is done with this turn (``error``: a stable code when it went wrong)."""

    transfer: TransferRequest | None = None
    hangup: bool = False
    error: str | None = None


AgentOutput = Say | ToolUsed | TurnEnd


class ConversationAgent(Protocol):
    """One caller's agent for the length of a call.

    While ``sensitive`` is true (e.g. a PIN is expected) the conversation keeps what the
    caller says or keys out of transcripts, stage events and logs.
    """

    @property
    def sensitive(self) -> bool:
        """True while the next input must not be recorded."""
        ...

    def turn(self, text: str) -> AsyncIterator[AgentOutput]:
        """Answer what the caller said."""
        ...

    def record_heard(self, text: str) -> None:
        """The caller interrupted: only ``text`` of the last reply was heard."""
        ...

    async def close(self) -> None:
        """Release what the agent holds (MCP session, ...)."""
        ...
