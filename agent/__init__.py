"""The conversation brain: a LangGraph graph over a chat model and the MCP tools.

Public interface for the telephony side (see :mod:`agent.session` for the full contract):
:class:`AgentSession` (``open`` / ``turn`` / ``record_heard`` / ``close``), the caller's
:class:`CallerContext`, and the outputs of a turn (:mod:`agent.events`).
"""

from agent.events import (
    AgentOutput,
    Filler,
    Sentence,
    ToolFinished,
    ToolStarted,
    TransferAction,
    TurnResult,
    TurnTimings,
)
from agent.prompts import CallerContext
from agent.runtime import AgentRuntime, close_shared_runtime, shared_runtime
from agent.session import AgentSession

__all__ = [
    "AgentOutput",
    "AgentRuntime",
    "AgentSession",
    "CallerContext",
    "Filler",
    "Sentence",
    "ToolFinished",
    "ToolStarted",
    "TransferAction",
    "TurnResult",
    "TurnTimings",
    "close_shared_runtime",
    "shared_runtime",
]
