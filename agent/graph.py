"""The agent graph, wiring only: route → model ⇄ tools → (reply) → end.

::

    START → route → model ─(tool calls?)─ no ──────────────────────────▶ END
                      ▲          │ yes
                      │          ▼
                      └─ again ─ tools ─ transfer / direct replies / limit ─▶ reply → END

``model`` loops back after ``tools`` only when the model must see a result to act on it (a
remote model composing its answer, or a lookup made to find the item a change needs).
"""

from __future__ import annotations

from typing import Literal

from langchain_core.messages import AIMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agent.nodes.model import call_model
from agent.nodes.reply import speak_results
from agent.nodes.route import route_turn
from agent.nodes.tools import run_tools
from agent.state import AgentState, TurnContext

AgentGraph = CompiledStateGraph[AgentState, TurnContext, AgentState, AgentState]


def after_model(state: AgentState) -> Literal["tools", "__end__"]:
    """Run tools when the reply asks for them."""
    last = state["messages"][-1]
    return "tools" if isinstance(last, AIMessage) and last.tool_calls else "__end__"


def needs_model(state: AgentState, ctx: TurnContext) -> bool:
    """After tools: must the model see the results (rather than saying them directly)?"""
    if state.get("transfer") or int(state.get("model_calls") or 0) >= ctx.max_model_calls:
        return False
    if not ctx.direct_replies:
        return True
    last_call = next(m for m in reversed(state["messages"]) if isinstance(m, AIMessage))
    called = {c["name"] for c in last_call.tool_calls}
    only_reads = all(ctx.tools.read_only(name) for name in called)
    offered = set(state.get("tools") or ())
    writes_left = any(not ctx.tools.read_only(n) for n in offered - called)
    return only_reads and writes_left and int(state.get("model_calls") or 0) < 2


def build_graph(checkpointer: BaseCheckpointSaver[str] | None) -> AgentGraph:
    """Compile the graph over a checkpointer (one thread per call)."""
    graph = StateGraph(AgentState, context_schema=TurnContext)
    graph.add_node("route", route_turn)
    graph.add_node("model", call_model)
    graph.add_node("tools", run_tools)
    graph.add_node("reply", speak_results)
    graph.add_edge(START, "route")
    graph.add_edge("route", "model")
    graph.add_conditional_edges("model", after_model, ["tools", END])

    def after_tools(state: AgentState, runtime: object) -> Literal["model", "reply"]:
        ctx: TurnContext = runtime.context  # type: ignore[attr-defined]
        return "model" if needs_model(state, ctx) else "reply"

    graph.add_conditional_edges("tools", after_tools, ["model", "reply"])
    graph.add_edge("reply", END)
    return graph.compile(checkpointer=checkpointer)
