"""Node ``plan``: the grammar planner writes the turn's calls, and each runs as soon as its line
is complete, so the caller hears the first result while the model is still writing the next
line. ``say("...")`` is streamed to the caller word by word; ``goodbye("...")`` also ends the
call. A reply with no readable action is replaced by a short apology (never spoken raw nor
kept in the history).
"""

from __future__ import annotations

import uuid
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.messages.tool import ToolCall
from langgraph.runtime import Runtime

from agent.execution import Executed, Memory, execute
from agent.nodes.common import effects, latest_request, today, words_for_grounding
from agent.state import AgentState, TurnContext
from agent.tools import UNREACHABLE
from agent.understanding.calls import Planned, parse_line, speech_prefix
from agent.understanding.planner import earlier_turns
from agent.understanding.prompt import messages as plan_messages
from agent.understanding.tool_classifier import candidates, is_farewell

GARBLED = "Sorry, I didn't quite get that. Could you say it another way?"
FAREWELL_TEXT = "You're welcome. Goodbye!"


async def plan_and_act(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Plan with the local model and carry the calls out; emits deltas, tool and say events."""
    ctx = runtime.context
    write = runtime.stream_writer
    assert ctx.planner is not None
    prompt = (
        ctx.planner.prompt_for(ctx.tools.names, ctx.tools.schemas)
        if ctx.tools.names
        else ctx.planner.last  # the tool server is away: plan anyway, calls will say so
    )
    if prompt is None:
        write({"kind": "say", "text": UNREACHABLE, "error": "tools_unavailable"})
        return {"messages": [AIMessage(content=UNREACHABLE)]}
    history = list(state.get("messages", []))[:-1]
    chat = plan_messages(prompt.prefix, ctx.caller, earlier_turns(history, ctx.history_turns),
                         latest_request(state))  # fmt: skip
    if ctx.narrow_tools and is_farewell(latest_request(state)):  # no model needed to say bye
        write({"kind": "say", "text": FAREWELL_TEXT})
        return finish([], Planned("goodbye", "goodbye", {}, FAREWELL_TEXT), write)
    memory = Memory.of(dict(state), latest_request(state))
    said, day = words_for_grounding(state), today(ctx)
    first = (
        candidates(latest_request(state), prompt.names, previous_tools(history), ctx.decide_above)
        if ctx.narrow_tools
        else None
    )
    done: list[Executed] = []
    speech: Planned | None = None
    text, used, spoken = "", 0, 0

    async def run(line: str) -> None:
        nonlocal speech
        action = parse_line(line, prompt.names)
        if action is None:
            return
        if action.kind != "call":
            speech = speech or action
            return
        call = ToolCall(name=action.name, args=action.args, id=f"call_{uuid.uuid4().hex[:12]}")
        one = await execute(ctx, call, write, said=said, today=day, memory=memory)
        done.append(one)
        write({"kind": "say", "text": one.outcome.text})
        if one.listed:
            memory.listed = one.listed
        if one.last is not None:
            memory.last = one.last

    write({"kind": "model_start"})
    async for delta in ctx.planner.model.stream(chat, prompt.grammar_for(first)):
        text += delta
        words = speech_prefix(text)
        if words is not None:
            if len(words) > spoken:
                write({"kind": "delta", "text": words[spoken:]})
                spoken = len(words)
            continue
        lines = text.split("\n")
        for line in lines[used:-1]:
            await run(line)
        used = max(used, len(lines) - 1)
    write({"kind": "model_end"})
    for line in text.split("\n")[used:]:
        await run(line)
    return finish(done, speech, write)


def previous_tools(history: list[Any]) -> list[str]:
    """The tools the turn before called (a follow-up may need them, or to change what they
    made: see :func:`agent.understanding.tool_classifier.candidates`)."""
    for message in reversed(history):
        if isinstance(message, HumanMessage):
            return []  # the turn before called no tool
        if isinstance(message, AIMessage) and message.tool_calls:
            return [c["name"] for c in message.tool_calls]
    return []


def finish(done: list[Executed], speech: Planned | None, write: Any) -> dict[str, Any]:
    """The state update of a planned turn: its calls, their results, the spoken reply."""
    out: list[BaseMessage] = []
    if done:
        calls = [ToolCall(name=d.name, args=d.args, id=d.message.tool_call_id) for d in done]
        out.append(AIMessage(content="", tool_calls=calls))
        out += [d.message for d in done]
        reply = " ".join(d.outcome.text for d in done if d.outcome.text)
        out.append(AIMessage(content=reply))
        return {"messages": out, **effects(done)}
    if speech is not None:
        hangup = speech.kind == "goodbye"
        text = speech.text or "Goodbye."
        if hangup:
            write({"kind": "hangup"})
        meta = {"hangup": True} if hangup else {}
        return {"messages": [AIMessage(content=text, response_metadata=meta)], "hangup": hangup}
    write({"kind": "say", "text": GARBLED, "error": "garbled_reply"})
    return {"messages": [AIMessage(content=GARBLED)]}
