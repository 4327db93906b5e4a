"""Node ``tools``: run the model's tool calls, each within its budget, and record results."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, ToolMessage
from langgraph.runtime import Runtime

from agent.grounding import ground_args, required_of
from agent.nodes.route import latest_request
from agent.prompts import zone_of
from agent.state import AgentState, TurnContext

TRANSFER_TOOL = "transfer_to_department"


async def run_tools(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Call each tool of the last assistant message; emits ``tool_start`` / ``tool_end``."""
    ctx = runtime.context
    write = runtime.stream_writer
    last = state["messages"][-1]
    assert isinstance(last, AIMessage)
    results: list[ToolMessage] = []
    transfer: dict[str, Any] | None = None
    said = latest_request(state)
    today = ctx.now().astimezone(zone_of(ctx.timezone)).date()
    for call in last.tool_calls:
        call_id = str(call["id"])
        args = dict(call["args"])
        if ctx.ground_args:
            required = required_of(ctx.tools.schemas((call["name"],)))
            args = ground_args(args, required, said, today)
        write({"kind": "tool_start", "id": call_id, "name": call["name"], "args": args})
        outcome = await ctx.tools.call(call["name"], args, ctx.clock.tool_deadline(), call_id)
        write({"kind": "tool_end", "id": call_id, "args": args, "outcome": outcome})
        results.append(
            ToolMessage(
                content=outcome.text,
                tool_call_id=call_id,
                name=call["name"],
                status="success" if outcome.ok else "error",
            )
        )
        action = outcome.data.get("action") if outcome.ok else None
        if call["name"] == TRANSFER_TOOL and isinstance(action, dict):
            transfer = action
    return {"messages": results, "transfer": transfer}
