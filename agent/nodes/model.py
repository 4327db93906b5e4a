"""Node ``model``: one streamed call of a tool-calling chat model (OpenAI-compatible endpoints).

The model sees every tool (without the arguments only the system sets) and the rules; it
calls tools natively. Text deltas go to the stream as they arrive (the session cuts them into
sentences; JSON-looking replies are held back there). Tool calls printed as text (some
servers do that) are turned into real tool calls here; a reply that looks structured but is
no valid call is replaced by a spoken apology, so neither the caller nor the checkpoint ever
carries garbage. The bundled local model does not come here: it plans with a grammar
(:mod:`agent.nodes.plan`).
"""

from __future__ import annotations

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
from langgraph.runtime import Runtime

from agent.state import AgentState, TurnContext
from agent.textcalls import looks_structured, parse_text_tool_calls
from agent.understanding.catalogue import visible_schema

GARBLED = "Sorry, I didn't quite get that. Could you say it another way?"
TOOLS_AWAY = (
    "The team's data can't be reached right now: if the caller asks for anything that needs "
    "it, say so and ask them to try again in a moment."
)


def recent_history(messages: Sequence[AnyMessage], turns: int) -> list[AnyMessage]:
    """The last ``turns`` caller turns, cut at a caller message (no orphan tool results)."""
    starts = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    if len(starts) <= turns:
        return list(messages)
    return list(messages[starts[-turns] :])


def build_prompt(ctx: TurnContext, messages: Sequence[AnyMessage]) -> list[BaseMessage]:
    """System prompt, then recent history."""
    history: list[BaseMessage] = list(recent_history(messages, ctx.history_turns))
    return [SystemMessage(content=ctx.system), *history]


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


async def call_model(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Stream one reply; emits ``model_start``, ``delta``, ``model_end`` (and ``say``)."""
    ctx = runtime.context
    write = runtime.stream_writer
    names = ctx.tools.names
    calls = int(state.get("model_calls") or 0) + 1
    schemas = [visible_schema(s) for s in ctx.tools.schemas(names)] if names else []
    model = ctx.model.bind_tools(schemas) if schemas else ctx.model
    write({"kind": "model_start"})
    full: AIMessageChunk | None = None
    prompt = build_prompt(ctx, state.get("messages", []))
    if not names:  # the tool server is away: the model may chat, but must not pretend
        prompt[0] = SystemMessage(content=f"{ctx.system}\n{TOOLS_AWAY}")
    async for chunk in model.astream(prompt):
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
