"""Node ``reply``: end the turn with the tools' own short sentences (no second model call).

Used for the local model (one model call per turn instead of two), after a transfer, and when
the model-call limit is reached. The tool server's results are written to be spoken.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, ToolMessage
from langgraph.runtime import Runtime

from agent.state import AgentState, TurnContext

NOTHING = "Done."


def tool_sentences(state: AgentState) -> str:
    """The results of the last round of tool calls, as one spoken reply."""
    texts: list[str] = []
    for message in reversed(state.get("messages", [])):
        if not isinstance(message, ToolMessage):
            break
        texts.append(str(message.content).strip())
    return " ".join(reversed([t for t in texts if t])) or NOTHING


async def speak_results(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Say the tool results and store them as the assistant's reply; emits ``say``."""
    text = tool_sentences(state)
    runtime.stream_writer({"kind": "say", "text": text})
    return {"messages": [AIMessage(content=text)]}
