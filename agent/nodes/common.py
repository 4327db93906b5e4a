"""Small helpers the nodes share: the caller's latest words, the turn's day, state updates."""

from __future__ import annotations

from datetime import date
from typing import Any

from langchain_core.messages import HumanMessage

from agent.execution import Executed
from agent.prompts import zone_of
from agent.state import AgentState, TurnContext
from agent.understanding.references import Item


def latest_request(state: AgentState) -> str:
    """The caller's latest words."""
    for message in reversed(state.get("messages", [])):
        if isinstance(message, HumanMessage):
            return str(message.content)
    return ""


def words_for_grounding(state: AgentState) -> str:
    """The caller's latest words and the turn before (a follow-up leans on it)."""
    said = [str(m.content) for m in state.get("messages", []) if isinstance(m, HumanMessage)]
    return " ".join(said[-2:])


def today(ctx: TurnContext) -> date:
    """The caller's today."""
    return ctx.now().astimezone(zone_of(ctx.timezone)).date()


def _item(item: Item) -> dict[str, Any]:
    return {"kind": item.kind, "id": item.id, "title": item.title}


def effects(done: list[Executed]) -> dict[str, Any]:
    """State updates from executed calls: open question, listing, last item, transfer."""
    update: dict[str, Any] = {}
    for one in done:
        if one.pending is not None:
            update["pending"] = one.pending
        if one.listed:
            update["listed"] = [_item(i) for i in one.listed]
        if one.last is not None:
            update["last_item"] = _item(one.last)
        if one.transfer is not None:
            update["transfer"] = one.transfer
    return update
