"""Carrying out one tool call of a turn, and what it leaves for the next turn.

A call written by the model is first made safe and precise: arguments the model may not set
are dropped (``confirm``: only a spoken yes produces it), arguments are grounded in what the
caller said, and "the second one" / "it" become the exact item heard earlier. If a tool that
acts on a named item finds no such item of its kind, the same action is tried on the other
kinds (an event, a reminder, a todo: callers do not say which list a thing is on); those
look-ups are reported as probes. A call the system makes itself (after a yes, or after the
caller picked one of several items) is passed as it is.

The result may leave a question open (:attr:`Executed.pending`): a destructive change waiting
for a yes, or a reference that matched several items. Listings and the item acted on are
remembered for later references.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from langchain_core.messages import ToolMessage
from langchain_core.messages.tool import ToolCall

from agent.state import TurnContext
from agent.tools import ToolOutcome
from agent.understanding.catalogue import HIDDEN_ARGS
from agent.understanding.grounding import ground_args, required_of
from agent.understanding.references import (
    ITEM_ARGS,
    Item,
    acted_item,
    at_position,
    listed_items,
    resolve_reference,
    says_it,
    spoken_position,
)
from agent.understanding.siblings import alternatives, as_kind
from switchboard.text.matching import WORD_MATCH, content_words, word_score

ITEM_ARG_OF = {kind: arg for arg, kind in ITEM_ARGS.items()}

TRANSFER_TOOL = "transfer_to_department"
Writer = Callable[[dict[str, Any]], None]


@dataclass
class Memory:
    """What earlier turns left that references can point at, and the caller's latest words."""

    listed: list[Item]
    last: Item | None
    said: str = ""

    @classmethod
    def of(cls, state: dict[str, Any], said: str = "") -> Memory:
        """From the graph state (and the words of this turn)."""
        listed = [
            Item(str(i["kind"]), int(i["id"]), str(i["title"])) for i in state.get("listed") or ()
        ]
        last = state.get("last_item")
        item = Item(str(last["kind"]), int(last["id"]), str(last["title"])) if last else None
        return cls(listed, item, said)


@dataclass
class Executed:
    """One call carried out: its message for the history and what it leaves behind."""

    name: str
    args: dict[str, Any]
    outcome: ToolOutcome
    message: ToolMessage
    pending: dict[str, Any] | None = None
    listed: list[Item] | None = None
    last: Item | None = None
    transfer: dict[str, Any] | None = None


def prepare_args(
    ctx: TurnContext, name: str, args: dict[str, Any], said: str, today: date, memory: Memory
) -> dict[str, Any]:
    """A model's arguments made safe and precise (see the module docstring)."""
    clean = {k: v for k, v in args.items() if k not in HIDDEN_ARGS}
    if ctx.ground_args:
        clean = ground_args(clean, required_of(ctx.tools.schemas((name,))), said, today)
    for arg, kind in ITEM_ARGS.items():
        value = clean.get(arg)
        if isinstance(value, str):
            exact = resolve_reference(kind, value, memory.listed, memory.last)
            if exact is not None:
                clean[arg] = exact
    return clean


UNSAID = "Sorry, which one do you mean? Say its name as it is on your list."


def invented_item(name: str, args: dict[str, Any], said: str, ctx: TurnContext) -> bool:
    """True when a change names an item with words the caller never said (nor pointed at):
    the model guessed it, and a guess is never acted on."""
    if ctx.tools.read_only(name):
        return False
    arg = next((a for a in ITEM_ARGS if a in args), None)
    if arg is None:
        return False
    value = str(args[arg])
    if value.startswith("#"):
        return False
    named = content_words(value)
    if not named:
        return False
    heard = content_words(said)
    found = sum(1 for w in named if heard and word_score(w, heard) >= WORD_MATCH)
    return found * 2 < len(named)


def pointed_at(
    name: str, args: dict[str, Any], memory: Memory, *, not_found: bool = False
) -> tuple[str, dict[str, Any]]:
    """When the caller's own words point at an item heard earlier ("the second one", "move
    it"), the call is aimed at exactly that item, on the tool for its kind: the words outrank
    a name the model guessed."""
    arg = next((a for a in ITEM_ARGS if a in args), None)
    if arg is None or str(args[arg]).startswith("#"):
        return name, args
    source = ITEM_ARGS[arg]
    where = spoken_position(memory.said)
    item = at_position(memory.listed, where) if where is not None else None
    if item is None and says_it(memory.said) and memory.last is not None:
        named = str(args[arg]).lower()
        pronoun = named in ("it", "that", "this", "that one", "this one")
        if pronoun or not_found or memory.last.kind != source:
            item = memory.last
    if item is None:
        return name, args
    moved = (name, dict(args)) if item.kind == source else as_kind(name, args, item.kind)
    if moved is None:
        return name, args
    tool, new_args = moved
    new_args[ITEM_ARG_OF[item.kind]] = f"#{item.id}"
    return tool, new_args


def _ambiguous_param(args: dict[str, Any], question: str, options: list[dict[str, Any]]) -> str:
    """Which argument the "which one?" question is about."""
    if options and str(options[0].get("ref", "")).startswith("#"):
        return next((a for a in ITEM_ARGS if a in args), "")
    head = question.lower()
    for key, value in args.items():
        if isinstance(value, str) and value.split() and value.split()[0].lower() in head:
            return key
    return next((k for k, v in args.items() if isinstance(v, str)), "")


def leaves(name: str, args: dict[str, Any], outcome: ToolOutcome) -> dict[str, Any]:
    """The open question (if any) an outcome leaves: ``{"pending": ...}`` or ``{}``."""
    confirm = outcome.data.get("needs_confirmation") if outcome.ok else None
    if isinstance(confirm, dict) and confirm.get("token"):
        pending = {"kind": "confirm", "tool": name, "args": args, "token": str(confirm["token"]),
                   "question": outcome.text}  # fmt: skip
        return {"pending": pending}
    options = outcome.data.get("options") if outcome.code == "ambiguous" else None
    if isinstance(options, list) and len(options) >= 2:
        param = _ambiguous_param(args, outcome.text, options)
        if param:
            refs = [str(o.get("ref")) for o in options if isinstance(o, dict)]
            pending = {"kind": "which", "tool": name, "args": args, "param": param,
                       "options": refs, "question": outcome.text}  # fmt: skip
            return {"pending": pending}
    return {}


async def _call(
    ctx: TurnContext, name: str, args: dict[str, Any], write: Writer, *, announce: bool = True
) -> tuple[str, ToolOutcome]:
    """Call one tool; with ``announce`` its start is reported before it runs."""
    call_id = f"call_{uuid.uuid4().hex[:12]}"
    if announce:
        write({"kind": "tool_start", "id": call_id, "name": name, "args": args})
    outcome = await ctx.tools.call(name, args, ctx.clock.tool_deadline(), call_id)
    if announce:
        write({"kind": "tool_end", "id": call_id, "args": args, "outcome": outcome})
    return call_id, outcome


def _report(write: Writer, call_id: str, name: str, args: dict[str, Any],
            outcome: ToolOutcome, probe: bool) -> None:  # fmt: skip
    """Report a call made silently, once it is known whether it was only a probe."""
    write({"kind": "tool_start", "id": call_id, "name": name, "args": args, "probe": probe})
    write({"kind": "tool_end", "id": call_id, "args": args, "outcome": outcome, "probe": probe})


async def execute(
    ctx: TurnContext,
    call: ToolCall,
    write: Writer,
    *,
    said: str,
    today: date,
    memory: Memory,
    trusted: bool = False,
) -> Executed:
    """Carry out one call (see the module docstring); never raises for tool failures."""
    name = call["name"]
    raw = dict(call["args"])
    args = raw if trusted else prepare_args(ctx, name, raw, said, today, memory)
    if not trusted:
        name, args = pointed_at(name, args, memory)
        if invented_item(name, args, said, ctx):
            outcome = ToolOutcome(name, False, UNSAID, 0.0, "invented_item")
            call_id = str(call.get("id") or f"call_{uuid.uuid4().hex[:12]}")
            message = ToolMessage(content=UNSAID, tool_call_id=call_id, name=name, status="error")
            return Executed(name, args, outcome, message)
    others = [] if trusted else alternatives(name, args, said)
    call_id, outcome = await _call(ctx, name, args, write, announce=not others)
    if others:
        found: tuple[str, str, dict[str, Any], ToolOutcome] | None = None
        if not outcome.ok and outcome.code == "not_found":
            for other, other_args in others:
                other_id, tried = await _call(ctx, other, other_args, write, announce=False)
                if tried.ok or tried.code not in ("not_found", "invalid_input"):
                    found = (other_id, other, other_args, tried)
                    break
        if found is None and not outcome.ok and outcome.code == "not_found":
            aimed = pointed_at(name, args, memory, not_found=True)  # "move it": the last item
            if aimed != (name, args):
                other_id, tried = await _call(ctx, aimed[0], aimed[1], write, announce=False)
                if tried.ok or tried.code != "not_found":
                    found = (other_id, aimed[0], aimed[1], tried)
        _report(write, call_id, name, args, outcome, probe=found is not None)
        if found is not None:
            call_id, name, args, outcome = found
            _report(write, call_id, name, args, outcome, probe=False)
    if outcome.code == "down":
        write({"kind": "error", "error": "tools_unavailable"})
    message = ToolMessage(
        content=outcome.text, tool_call_id=str(call.get("id") or call_id), name=name,
        status="success" if outcome.ok else "error",
    )  # fmt: skip
    done = Executed(name, args, outcome, message, **leaves(name, args, outcome))
    if outcome.ok:
        done.listed = listed_items(outcome.data) or None
        done.last = acted_item(outcome.data)
        action = outcome.data.get("action")
        if name == TRANSFER_TOOL and isinstance(action, dict):
            done.transfer = action
    return done
