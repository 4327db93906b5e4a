"""Node ``model``: one streamed model call over the routed tools.

Text deltas go to the stream as they arrive (the session cuts them into sentences; JSON-looking
replies are held back there). Tool calls printed as text are turned into real tool calls here;
a reply that looks structured but is no valid call is replaced by a spoken apology, so neither
the caller nor the checkpoint ever carries garbage.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    AnyMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.messages.tool import ToolCall
from langgraph.runtime import Runtime

from agent.prompts import now_note
from agent.state import AgentState, TurnContext
from agent.textcalls import looks_structured, parse_text_tool_calls
from agent.tools import UNREACHABLE

GARBLED = "Sorry, I didn't quite get that. Could you say it another way?"


def recent_history(messages: Sequence[AnyMessage], turns: int) -> list[AnyMessage]:
    """The last ``turns`` caller turns, cut at a caller message (no orphan tool results)."""
    starts = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    if len(starts) <= turns:
        return list(messages)
    return list(messages[starts[-turns] :])


def build_prompt(ctx: TurnContext, messages: Sequence[AnyMessage]) -> list[BaseMessage]:
    """System prompt (ending with the per-turn "now" note), then recent history."""
    history: list[BaseMessage] = list(recent_history(messages, ctx.history_turns))
    system = f"{ctx.system}\n{now_note(ctx.now(), ctx.timezone)}"
    return [SystemMessage(content=system), *history]


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(
        str(b.get("text", "")) for b in content if isinstance(b, dict) and b.get("type") == "text"
    )


def finish(reply: AIMessage, known: frozenset[str]) -> AIMessage:
    """Make text tool calls real, and replace structured garbage with an apology."""
    if reply.tool_calls:
        return reply
    text = _text(reply.content)
    calls = parse_text_tool_calls(text, known) if looks_structured(text) or "{" in text else []
    if calls:
        return AIMessage(content="", tool_calls=calls, id=reply.id)
    if looks_structured(text) or not any(ch.isalnum() for ch in text):
        return AIMessage(content=GARBLED, id=reply.id, response_metadata={"garbled": True})
    return AIMessage(content=text.strip(), id=reply.id)


def direct_call(schemas: list[dict[str, Any]]) -> AIMessage | None:
    """The call to make without asking the model: the route left exactly one tool, and it
    takes no arguments ("which departments can I call?", "what does my profile say?").
    The small model sometimes answers such questions in prose instead of calling."""
    if len(schemas) != 1:
        return None
    function = schemas[0].get("function", {})
    if function.get("parameters", {}).get("properties"):
        return None
    call = ToolCall(name=function["name"], args={}, id=f"call_{uuid.uuid4().hex[:12]}")
    return AIMessage(content="", tool_calls=[call])


async def call_model(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Stream one reply; emits ``model_start``, ``delta``, ``model_end`` (and ``say``)."""
    ctx = runtime.context
    write = runtime.stream_writer
    names = tuple(state.get("tools") or ())
    calls = int(state.get("model_calls") or 0) + 1
    if names and not ctx.tools.names:  # the turn needs tools and the tool server is away
        write({"kind": "say", "text": UNREACHABLE, "error": "tools_unavailable"})
        return {"messages": [AIMessage(content=UNREACHABLE)], "model_calls": calls}
    schemas = ctx.tools.schemas(names) if names else []
    shortcut = direct_call(schemas) if ctx.direct_replies and calls == 1 else None
    if shortcut is not None:
        return {"messages": [shortcut], "model_calls": calls - 1}
    model = ctx.model.bind_tools(schemas) if schemas else ctx.model
    write({"kind": "model_start"})
    full: AIMessageChunk | None = None
    async for chunk in model.astream(build_prompt(ctx, state.get("messages", []))):
        if not isinstance(chunk, AIMessageChunk):
            continue
        delta = _text(chunk.content)
        if delta:
            write({"kind": "delta", "text": delta})
        full = chunk if full is None else full + chunk
    write({"kind": "model_end"})
    raw = AIMessage(
        content=full.content if full is not None else "",
        tool_calls=full.tool_calls if full is not None else [],
        id=full.id if full is not None else None,
    )
    reply = finish(raw, frozenset(ctx.tools.names))
    if reply.response_metadata.get("garbled"):
        write({"kind": "say", "text": GARBLED, "error": "garbled_reply"})
    return {"messages": [reply], "model_calls": calls}
