"""Self-healing conversation state: close dangling tool calls, or start over with a summary.

OpenAI-style endpoints reject a history in which an assistant message with ``tool_calls`` is
not followed by one tool message per call ("tool_calls must be followed by tool messages").
That is exactly what a timed-out or crashed turn leaves in the checkpoint. :func:`dangling_calls`
finds such calls and :func:`closing_messages` answers each with a tool *error* result, so the
next turn is valid. A history that cannot be fixed that way (a tool result with no call, an
unreadable checkpoint) is abandoned: :func:`restart_summary` condenses what was done, and the
session continues on a fresh thread with that summary in its system prompt. Pure functions.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage

INTERRUPTED = (
    "This tool call was interrupted before it finished; it may or may not have taken effect."
)


def dangling_calls(messages: Sequence[AnyMessage]) -> list[tuple[str, str]]:
    """``(call id, tool name)`` of every tool call that has no tool result."""
    answered = {m.tool_call_id for m in messages if isinstance(m, ToolMessage)}
    return [
        (str(call["id"]), call["name"])
        for m in messages
        if isinstance(m, AIMessage)
        for call in m.tool_calls
        if call["id"] not in answered
    ]


def closing_messages(
    messages: Sequence[AnyMessage], reason: str = INTERRUPTED
) -> list[ToolMessage]:
    """Tool error results that close every dangling call (empty when none dangles)."""
    return [
        ToolMessage(content=reason, tool_call_id=call_id, name=name, status="error")
        for call_id, name in dangling_calls(messages)
    ]


def unrepairable(messages: Sequence[AnyMessage]) -> str | None:
    """Why the history cannot be fixed by closing calls (None when it can)."""
    called: set[str] = set()
    for m in messages:
        if isinstance(m, AIMessage):
            called.update(str(c["id"]) for c in m.tool_calls)
        elif isinstance(m, ToolMessage) and m.tool_call_id not in called:
            return f"tool result {m.tool_call_id} has no call"
    return None


def restart_summary(messages: Sequence[AnyMessage], limit: int = 400) -> str:
    """A short account of an abandoned thread: what the caller asked and what was done."""
    asked = [str(m.content) for m in messages if isinstance(m, HumanMessage)][-3:]
    done = [
        str(m.content)
        for m in messages
        if isinstance(m, ToolMessage) and m.status != "error" and isinstance(m.content, str)
    ][-3:]
    parts = []
    if asked:
        parts.append("The caller said: " + " / ".join(a[:100] for a in asked) + ".")
    if done:
        parts.append("Done: " + " ".join(d[:120] for d in done))
    return " ".join(parts)[:limit]
