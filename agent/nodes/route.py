"""Node ``route``: choose the tool families and tools this turn's model call will see."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime

from agent.routing import all_tools, route
from agent.state import AgentState, TurnContext


def latest_request(state: AgentState) -> str:
    """The caller's latest words."""
    for message in reversed(state.get("messages", [])):
        if isinstance(message, HumanMessage):
            return str(message.content)
    return ""


async def route_turn(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Reset the per-turn counters and pick the tools (all of them when routing is off)."""
    ctx = runtime.context
    reset: dict[str, Any] = {"model_calls": 0, "transfer": None}
    if not ctx.routing:
        return {**reset, "tools": list(all_tools())}
    chosen = route(latest_request(state), tuple(state.get("families") or ()))
    return {**reset, "families": list(chosen.families), "tools": list(chosen.tools)}
