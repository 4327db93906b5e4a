"""Do these spoken words name that title? Word by word, tolerating recognition slips. Pure.

Used where a caller names one of several things: the tool server resolving "the dentist one"
among the caller's items, and the agent reading "the bank one" as an answer to "Which one:
Call the bank, or Call mum?". Fillers ("the", "my", "one", "task", "meeting") carry no name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

WORD_MATCH = 82.0
"""Per-word similarity (rapidfuzz ratio) at which a spoken word counts as a title word."""

FILLERS = frozenset({
    "the", "a", "an", "my", "me", "our", "one", "ones", "thing", "item", "items", "that", "this",
    "it", "its", "for", "about", "with", "to", "of", "on", "in", "at", "todo", "todos", "to-do",
    "do", "task", "tasks", "reminder", "reminders", "event", "events", "meeting", "meetings",
    "appointment", "entry", "please", "called", "named", "which", "said", "i'd", "like", "just",
    "um", "umm", "uh", "er", "erm", "hmm", "mm", "mmm", "ah", "oh", "o'clock", "oclock",
    # what the caller asks to do with the item is no part of its name ("kill the bins one")
    "kill", "delete", "remove", "scrap", "drop", "cancel", "move", "push", "shift", "bump",
    "reschedule", "rename", "change", "update", "mark", "done", "finished", "complete", "snooze",
    "postpone",
})  # fmt: skip
"""Words that carry no name."""


NUMBER_WORDS = {w: str(i) for i, w in enumerate(("zero", "one", "two", "three", "four", "five",
    "six", "seven", "eight", "nine", "ten", "eleven", "twelve"), start=0)}  # fmt: skip
"""Numbers said as words match numbers written as digits ("the three o'clock" ~ "at 3 pm")."""


def words(text: str) -> list[str]:
    """Lower-case words of ``text`` ("a.m." becomes "am")."""
    cleaned = text.lower().replace("’", "'").replace("a.m.", "am").replace("p.m.", "pm")
    return re.findall(r"[a-z0-9']+", cleaned)


def content_words(text: str) -> list[str]:
    """The words of a reference that can name something (fillers dropped, numbers as digits;
    "one" stays a filler: "the one with Maria")."""
    found = [NUMBER_WORDS.get(w, w) if w != "one" else w for w in words(text)]
    return [w for w in found if w not in FILLERS and (len(w) > 1 or w.isdigit())]


def word_score(word: str, names: Sequence[str]) -> float:
    """How well one spoken word matches the best of ``names`` (0–100; prefixes count fully)."""
    best = 0.0
    for name in names:
        if name == word or (len(word) >= 4 and (name.startswith(word) or word.startswith(name))):
            return 100.0
        best = max(best, fuzz.ratio(word, name))
    return best


def match_score(spoken: Sequence[str], title: str, extra: str = "") -> float:
    """Share (0–1) of the spoken words found in ``title`` (words found in ``extra``: half)."""
    if not spoken:
        return 1.0
    title_words = words(title)
    extra_words = words(extra)
    total = 0.0
    for word in spoken:
        if word_score(word, title_words) >= WORD_MATCH:
            total += 1.0
        elif extra_words and word_score(word, extra_words) >= WORD_MATCH:
            total += 0.5
    return total / len(spoken)
