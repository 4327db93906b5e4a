"""Node ``act``: carry out the tool calls of the last assistant message.

The calls come from a tool-calling model (made safe and precise first, see
:mod:`agent.execution`) or from the system itself after the caller answered a question (a
yes, a pick: carried out as they are). Results, open questions, listings and a transfer are
recorded; each result is spoken when the turn ends in ``reply``.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from agent.execution import Executed, Memory, execute
from agent.nodes.common import effects, latest_request, today, words_for_grounding
from agent.state import AgentState, TurnContext


async def act(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Call each tool of the last assistant message; emits ``tool_start`` / ``tool_end``."""
    ctx = runtime.context
    last = state["messages"][-1]
    assert isinstance(last, AIMessage)
    trusted = state.get("route") == "act"
    memory = Memory.of(dict(state), latest_request(state))
    said, day = words_for_grounding(state), today(ctx)
    done: list[Executed] = []
    for call in last.tool_calls:
        one = await execute(ctx, call, runtime.stream_writer, said=said, today=day,
                            memory=memory, trusted=trusted)  # fmt: skip
        done.append(one)
        if one.listed:
            memory.listed = one.listed
        if one.last is not None:
            memory.last = one.last
    return {"messages": [d.message for d in done], "route": "model", **effects(done)}
