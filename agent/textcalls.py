"""Tool calls printed as text: small local models write JSON instead of ``tool_calls``.

Qwen2.5-Coder served by llama.cpp answers ``{"name": ..., "arguments": {...}}`` as plain
content, sometimes fenced (```json ... ```), sometimes with doubled braces, sometimes inside
``<tool_call>`` tags or as a list. :func:`parse_text_tool_calls` turns such text into LangChain
tool calls; :func:`looks_structured` tells whether a reply is JSON-looking (never spoken).
Pure functions: text in, calls out.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from langchain_core.messages.tool import ToolCall

_FENCE_RE = re.compile(r"```(?:json|tool_call|tool)?\s*(.*?)```", re.S)
_TAG_RE = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.S)


def looks_structured(text: str) -> bool:
    """True when a reply starts like JSON, a code fence or a tool-call tag."""
    head = text.lstrip()
    return head.startswith(("{", "[", "```", "<tool_call>"))


def _candidates(text: str) -> list[str]:
    found = [m.group(1) for m in _TAG_RE.finditer(text)]
    found += [m.group(1) for m in _FENCE_RE.finditer(text)]
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        found.append(stripped)
    brace = text.find("{")
    if not found and brace >= 0:
        found.append(text[brace : text.rfind("}") + 1])
    return found


def _loads(text: str) -> Any:
    text = text.strip()
    for attempt in (text, _undouble(text)):
        try:
            return json.loads(attempt)
        except ValueError:
            pass
        try:  # chatter (or a stray brace) after the object
            value, _ = json.JSONDecoder().raw_decode(attempt)
            return value
        except ValueError:
            pass
    return None


def _undouble(text: str) -> str:
    """``{{"name": ..., "arguments": {...}}}`` (a template's escaping, copied) → plain JSON."""
    if text.startswith("{{"):
        return text.replace("{{", "{").replace("}}", "}")
    return text


def _as_call(obj: Any, known: frozenset[str] | None) -> ToolCall | None:
    if not isinstance(obj, dict):
        return None
    if "function" in obj and isinstance(obj["function"], dict):
        obj = obj["function"]
    name = obj.get("name") or obj.get("tool") or obj.get("tool_name")
    args = obj.get("arguments", obj.get("args", obj.get("parameters", {})))
    if isinstance(args, str):
        args = _loads(args)
    if not isinstance(name, str) or not isinstance(args, dict):
        return None
    if known is not None and name not in known:
        return None
    clean = {k: v for k, v in args.items() if v is not None and v != ""}
    return ToolCall(name=name, args=clean, id=f"call_{uuid.uuid4().hex[:12]}", type="tool_call")


def parse_text_tool_calls(text: str, known: frozenset[str] | None = None) -> list[ToolCall]:
    """Tool calls written as text (empty when there are none, or they name unknown tools)."""
    calls: list[ToolCall] = []
    for candidate in _candidates(text):
        value = _loads(candidate)
        items = value if isinstance(value, list) else [value]
        for item in items:
            call = _as_call(item, known)
            if call is not None:
                calls.append(call)
        if calls:
            break
    return calls
