"""The graph's state (checkpointed per call) and its per-turn context (not checkpointed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Protocol, TypedDict

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages

from agent.budgets import TurnClock
from agent.tools import ToolOutcome

if TYPE_CHECKING:
    from agent.understanding.answers import AnswerReader
    from agent.understanding.planner import Planner


class AgentState(TypedDict, total=False):
    """What survives between turns of one call (one checkpoint thread per call)."""

    messages: Annotated[list[AnyMessage], add_messages]
    pending: dict[str, Any] | None
    """A question the assistant asked and the action waiting on its answer: ``kind``
    (``confirm`` or ``which``), ``tool``, ``args``, ``question`` and, for ``confirm``, the
    ``token`` a yes passes back; for ``which``, ``param`` and the ``options`` (refs)."""
    listed: list[dict[str, Any]]
    """The items of the last list the caller heard (kind, id, title), in spoken order."""
    last_item: dict[str, Any] | None
    """The item the last action was about (kind, id, title): "it", "that one"."""
    model_calls: int
    transfer: dict[str, Any] | None
    """The transfer action of this turn, if the transfer tool succeeded."""
    hangup: bool
    """The caller is done: hang up after this turn's reply."""
    route: str
    """Where the turn goes after the answer node: ``plan``, ``act`` or ``end``."""


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
    """The system prompt of a tool-calling model (rules, then who the caller is)."""
    timezone: str
    clock: TurnClock
    now: Callable[[], datetime]
    answers: AnswerReader
    planner: Planner | None = None
    """The grammar planner (the local model); None: the chat model calls tools itself."""
    caller: str = ""
    """Who is calling, one line (the planner's prompt, after its stable part)."""
    direct_replies: bool = False
    ground_args: bool = False
    narrow_tools: bool = True
    """Narrow the planner's first call to the tools the request classifier ranks highest."""
    decide_above: float = 0.5
    """The request classifier alone picks the first tool when this sure of it (> 1: never)."""
    max_model_calls: int = 4
    history_turns: int = 6
