"""The agent graph, wiring only.

::

    START → answer ─ an open question answered ─▶ act ─▶ reply → END
              │      (a yes, a pick)                ▲  └─▶ model (tool-calling models compose)
              │ no / never mind ─────────────────────┼──────────────────────────────▶ END
              └ anything else ─┬─ local model ─▶ plan (calls run as their lines finish) → END
                               └─ chat model ──▶ model ─ tool calls? ─▶ act ...
                                                   └─ none ───────────────────────────▶ END

``answer`` settles a question the assistant asked last turn (:mod:`agent.nodes.answer`);
``plan`` is the bundled model's grammar planner; ``model`` + ``act`` the tool-calling loop of
remote models, which see results again only when they must compose the answer.
"""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.messages import AIMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agent.nodes.act import act
from agent.nodes.answer import answer_pending
from agent.nodes.model import call_model
from agent.nodes.plan import plan_and_act
from agent.nodes.reply import speak_results
from agent.state import AgentState, TurnContext

AgentGraph = CompiledStateGraph[AgentState, TurnContext, AgentState, AgentState]


def after_answer(state: AgentState, runtime: Any) -> Literal["act", "plan", "model", "__end__"]:
    """Where the turn goes once any open question is settled."""
    route = state.get("route")
    if route == "act":
        return "act"
    if route == "end":
        return "__end__"
    ctx: TurnContext = runtime.context
    return "plan" if ctx.planner is not None else "model"


def after_model(state: AgentState) -> Literal["act", "__end__"]:
    """Run tools when the reply asks for them."""
    last = state["messages"][-1]
    return "act" if isinstance(last, AIMessage) and last.tool_calls else "__end__"


def needs_model(state: AgentState, ctx: TurnContext) -> bool:
    """After tools: must a tool-calling model see the results (rather than saying them)?"""
    if ctx.planner is not None or state.get("transfer") or state.get("pending"):
        return False
    if int(state.get("model_calls") or 0) >= ctx.max_model_calls:
        return False
    return not ctx.direct_replies


def build_graph(checkpointer: BaseCheckpointSaver[str] | None) -> AgentGraph:
    """Compile the graph over a checkpointer (one thread per call)."""
    graph = StateGraph(AgentState, context_schema=TurnContext)
    graph.add_node("answer", answer_pending)
    graph.add_node("plan", plan_and_act)
    graph.add_node("model", call_model)
    graph.add_node("act", act)
    graph.add_node("reply", speak_results)
    graph.add_edge(START, "answer")
    graph.add_conditional_edges("answer", after_answer, ["act", "plan", "model", END])
    graph.add_edge("plan", END)
    graph.add_conditional_edges("model", after_model, ["act", END])

    def after_act(state: AgentState, runtime: Any) -> Literal["model", "reply"]:
        ctx: TurnContext = runtime.context
        return "model" if needs_model(state, ctx) else "reply"

    graph.add_conditional_edges("act", after_act, ["model", "reply"])
    graph.add_edge("reply", END)
    return graph.compile(checkpointer=checkpointer)
