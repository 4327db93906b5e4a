"""The graph's state (checkpointed per call) and its per-turn context (not checkpointed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Protocol, TypedDict

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages

from agent.budgets import TurnClock
from agent.tools import ToolOutcome


class AgentState(TypedDict, total=False):
    """What survives between turns of one call (one checkpoint thread per call)."""

    messages: Annotated[list[AnyMessage], add_messages]
    families: list[str]
    """Tool families of the latest routed turn (a follow-up may reuse them)."""
    tools: list[str]
    """Tools shown to the model this turn."""
    model_calls: int
    transfer: dict[str, Any] | None
    """The transfer action of this turn, if the transfer tool succeeded."""


class Tools(Protocol):
    """What the graph needs from the call's tools (``agent.tools.ToolBox``)."""

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the tools the server offers."""

    def read_only(self, name: str) -> bool:
        """True for tools that change nothing."""

    def schemas(self, names: tuple[str, ...]) -> list[dict[str, Any]]:
        """OpenAI tool schemas of ``names``."""

    async def call(
        self, name: str, args: dict[str, Any], budget_s: float, call_id: str = "call"
    ) -> ToolOutcome:
        """Call one tool within a budget; never raises."""


@dataclass
class TurnContext:
    """Everything a node needs for one turn that is not conversation state."""

    model: BaseChatModel
    tools: Tools
    system: str
    timezone: str
    clock: TurnClock
    now: Callable[[], datetime]
    routing: bool = True
    direct_replies: bool = False
    ground_args: bool = False
    max_model_calls: int = 4
    history_turns: int = 6
