"""The grammar planner: the local model writes the turn's calls in a language it cannot get wrong.

One planning request per turn: the stable prefix (rules, the whole catalogue, examples: see
:mod:`.prompt`), the caller, this call's turns, the new words; the reply is constrained by
:mod:`.grammar` to call lines, ``say(...)`` or ``goodbye(...)``. The prompt and grammar are
built once per tool set and reused byte for byte. :class:`PlanModel` is the model port
(:class:`~agent.understanding.llama.LlamaModel` in production, a scripted fake in tests).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage

from agent.understanding.catalogue import HIDDEN_ARGS, ToolSpec, ordered_specs, render
from agent.understanding.grammar import grammar
from agent.understanding.prompt import Turn, stable_prefix

Schemas = Callable[[tuple[str, ...]], list[dict[str, Any]]]


class PlanModel(Protocol):
    """A model that streams a grammar-constrained chat reply."""

    def stream(self, messages: list[dict[str, str]], grammar: str | None) -> AsyncIterator[str]:
        """Text deltas of the reply."""
        ...

    async def complete(
        self, messages: list[dict[str, str]], grammar: str | None, max_tokens: int | None = None
    ) -> str:
        """The whole reply (at most ``max_tokens``)."""
        ...


@dataclass
class PlanPrompt:
    """What every planning request over one tool set shares."""

    prefix: str
    grammar: str
    names: frozenset[str]
    specs: list[ToolSpec] = field(default_factory=list)
    _narrowed: dict[frozenset[str], str] = field(default_factory=dict)

    def grammar_for(self, first: Collection[str] | None) -> str:
        """The grammar whose first call may use only ``first`` (None: any tool)."""
        if first is None or not self.specs:
            return self.grammar
        key = frozenset(first)
        if key not in self._narrowed:
            self._narrowed[key] = grammar(self.specs, key)
        return self._narrowed[key]


@dataclass
class Planner:
    """The planning model and the prompts built for the tool sets it has seen."""

    model: PlanModel
    _prompts: dict[tuple[str, ...], PlanPrompt] = field(default_factory=dict)
    last: PlanPrompt | None = None
    """The prompt of the last tool set seen (used while the tool server is away)."""

    def prompt_for(self, names: Sequence[str], schemas: Schemas) -> PlanPrompt:
        """The prompt and grammar for this tool set (built once, then reused)."""
        key = tuple(sorted(names))
        if key not in self._prompts:
            specs = ordered_specs(schemas(key))
            self._prompts[key] = PlanPrompt(
                stable_prefix(render(specs)),
                grammar(specs),
                frozenset(s.name for s in specs),
                specs,
            )
        self.last = self._prompts[key]
        return self.last


def call_line(name: str, args: dict[str, Any]) -> str:
    """A call as the planner writes it: ``name(key="value", ...)`` (hidden arguments left out)."""
    parts = [f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in args.items()
             if k not in HIDDEN_ARGS]  # fmt: skip
    return f"{name}({', '.join(parts)})"


def earlier_turns(messages: Sequence[AnyMessage], limit: int) -> list[Turn]:
    """This call's finished turns as the planner sees them (the last ``limit``)."""
    turns: list[Turn] = []
    said: str | None = None
    plan: list[str] = []
    result = ""
    for message in messages:
        if isinstance(message, HumanMessage):
            if said is not None:
                turns.append(Turn(said, "\n".join(plan) or 'say("...")', result))
            said, plan, result = str(message.content), [], ""
        elif isinstance(message, AIMessage) and message.tool_calls:
            plan += [call_line(c["name"], dict(c["args"])) for c in message.tool_calls]
        elif isinstance(message, AIMessage):
            text = str(message.content).strip()
            if text:
                result = text
                if not plan:
                    kind = "goodbye" if message.response_metadata.get("hangup") else "say"
                    plan = [f"{kind}({json.dumps(text, ensure_ascii=False)})"]
        elif isinstance(message, ToolMessage) and not result:
            continue
    if said is not None:
        turns.append(Turn(said, "\n".join(plan) or 'say("...")', result))
    return turns[-limit:] if limit > 0 else []
