"""Items heard earlier in the call: "the second one", "that one", "it". Pure.

The tool server resolves what a caller calls an item ("the dentist one"); this module covers
what only the conversation knows: positions in the last list the caller heard ("the second
one", "number three", "the last one") and the item just acted on ("it", "that"). Such a
reference becomes ``#<id>``, the exact form the server accepts (and that the model can never
write: its grammar forbids a leading ``#``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ITEM_ARGS = {"todo": "todo", "reminder": "reminder", "event": "event"}
"""Argument name → the kind of item it names."""
LIST_KEYS = {"todos": "todo", "reminders": "reminder", "events": "event"}
"""Keys of listing data → the kind of item listed."""

_ORDINALS = {
    "first": 1, "1st": 1, "one": 1, "1": 1,
    "second": 2, "2nd": 2, "two": 2, "2": 2,
    "third": 3, "3rd": 3, "three": 3, "3": 3,
    "fourth": 4, "4th": 4, "four": 4, "4": 4,
    "fifth": 5, "5th": 5, "five": 5, "5": 5,
}  # fmt: skip
_POSITION = re.compile(
    r"^(?:the\s+|number\s+|no\.?\s*)?(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|"
    r"one|two|three|four|five|[1-5]|last)(?:\s+(?:one|item|todo|task|reminder|event|meeting))?$",
    re.I,
)
_THAT = re.compile(r"^(?:it|that|this|that one|this one|the same one|same one)$", re.I)
_SPOKEN_POSITION = re.compile(
    r"\b(?:the\s+(first|second|third|fourth|fifth|last)(?:\s+(?:one|item|todo|task|reminder|"
    r"event|meeting))?(?!\s+(?:thing|time|week|day|of))\b|number\s+(one|two|three|four|five|[1-5])\b)",
    re.I,
)
_SPOKEN_THAT = re.compile(r"\b(it|that one|this one|that|the same one)\b", re.I)


@dataclass(frozen=True)
class Item:
    """An item the caller heard about: its kind, id and title."""

    kind: str
    id: int
    title: str


def listed_items(data: Mapping[str, Any]) -> list[Item]:
    """The items a listing result named, in the order they were spoken."""
    for key, kind in LIST_KEYS.items():
        rows = data.get(key)
        if isinstance(rows, list) and rows:
            return [
                Item(kind, int(r["id"]), str(r.get("title") or r.get("text") or ""))
                for r in rows
                if isinstance(r, dict) and isinstance(r.get("id"), int)
            ]
    return []


def acted_item(data: Mapping[str, Any]) -> Item | None:
    """The one item a result acted on (``data["item"]``), if any."""
    item = data.get("item")
    if isinstance(item, dict) and isinstance(item.get("id"), int):
        return Item(str(item.get("kind", "")), int(item["id"]), str(item.get("title", "")))
    return None


def position(reference: str) -> int | None:
    """1-based position named by "the second one", "number 3" (-1: "the last one")."""
    match = _POSITION.match(" ".join(reference.lower().split()))
    if not match:
        return None
    word = match.group(1).lower()
    return -1 if word == "last" else _ORDINALS.get(word)


def spoken_position(said: str) -> int | None:
    """A position the caller's words point at ("move the second one", "number three is done")
    (-1: "the last one"); None when they name none."""
    match = _SPOKEN_POSITION.search(said)
    if not match:
        return None
    word = (match.group(1) or match.group(2)).lower()
    return -1 if word == "last" else _ORDINALS.get(word)


def says_it(said: str) -> bool:
    """True when the caller points at something just mentioned ("move it", "delete that")."""
    return _SPOKEN_THAT.search(said) is not None


def at_position(listed: Sequence[Item], where: int) -> Item | None:
    """The listed item at a 1-based position (-1: the last), if there is one."""
    index = len(listed) - 1 if where == -1 else where - 1
    return listed[index] if 0 <= index < len(listed) else None


def resolve_reference(
    kind: str, reference: str, listed: Sequence[Item], last: Item | None
) -> str | None:
    """``#<id>`` when ``reference`` points at a listed item or the last one, else None."""
    ref = reference.strip()
    if _THAT.match(ref) and last is not None and last.kind == kind:
        return f"#{last.id}"
    where = position(ref)
    same_kind = [i for i in listed if i.kind == kind]
    if where is None or not same_kind:
        return None
    index = len(same_kind) - 1 if where == -1 else where - 1
    return f"#{same_kind[index].id}" if 0 <= index < len(same_kind) else None
