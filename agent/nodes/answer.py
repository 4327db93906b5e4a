"""Node ``answer``: the turn's entry. Is the caller answering a question the assistant asked?

With no open question the turn goes on to planning. With one, the answer reader decides what
the words mean: a yes to "Delete X? Yes or no?" makes the waiting call with its confirmation
token; a pick from "Which one: A, or B?" makes the waiting call with exactly that item; a no
or "neither" ends the turn with a short acknowledgement; anything else (a new request, an
unclear answer) drops the question and is planned like any other turn. The question is
closed either way: it is never answered twice.
"""

from __future__ import annotations

import uuid
from typing import Any

from langchain_core.messages import AIMessage
from langchain_core.messages.tool import ToolCall
from langgraph.runtime import Runtime

from agent.nodes.common import latest_request
from agent.state import AgentState, TurnContext

LEFT_AS_IS = "Okay, I've left it as it is."
NEVER_MIND = "Okay, never mind."
RESET: dict[str, Any] = {"model_calls": 0, "transfer": None, "hangup": False, "pending": None}


def waiting_call(pending: dict[str, Any], label: str) -> ToolCall | None:
    """The call an answer ``label`` releases, or None when it releases none."""
    args = dict(pending.get("args") or {})
    if pending.get("kind") == "confirm" and label == "yes":
        args["confirm"] = pending.get("token")
    elif pending.get("kind") == "which" and label in ("1", "2", "3"):
        options = list(pending.get("options") or ())
        index = int(label) - 1
        if index >= len(options) or not pending.get("param"):
            return None
        args[str(pending["param"])] = options[index]
    else:
        return None
    return ToolCall(name=str(pending["tool"]), args=args, id=f"call_{uuid.uuid4().hex[:12]}")


def dialog_of(pending: dict[str, Any]) -> str:
    """The answer reader's dialog for an open question."""
    return "confirm" if pending.get("kind") == "confirm" else "which"


async def answer_pending(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Route the turn: ``act`` (a released call), ``end`` (a no), or ``plan``."""
    pending = state.get("pending")
    if not pending:
        return {**RESET, "route": "plan"}
    ctx = runtime.context
    label = await ctx.answers.read(dialog_of(pending), str(pending.get("question", "")),
                                   latest_request(state))  # fmt: skip
    call = waiting_call(pending, label)
    if call is not None:
        return {**RESET, "route": "act", "messages": [AIMessage(content="", tool_calls=[call])]}
    if label in ("no", "none"):
        text = LEFT_AS_IS if label == "no" else NEVER_MIND
        runtime.stream_writer({"kind": "say", "text": text})
        return {**RESET, "route": "end", "messages": [AIMessage(content=text)]}
    return {**RESET, "route": "plan"}
