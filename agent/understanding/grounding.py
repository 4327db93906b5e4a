"""Keep a small model's arguments to what the caller said. Pure.

Seen on the bundled 1.5B model: it fills optional arguments nobody mentioned (``due="now"``,
``priority="high"``, ``status="open"``, the caller as an attendee), copies punctuation from the
prompt (``team="Dev."``), and now and then writes an ISO date for "next Monday" that is off
by a week. :func:`ground_args` trims values, drops optional arguments that nothing the caller
said supports, drops list entries nobody named, and puts the day the caller named into a date
the model computed. Required arguments are never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

TIME_KEYS = frozenset({"due", "when", "start", "end", "day", "until", "time"})
DURATION_KEYS = frozenset({"duration"})
_DURATION_WORDS = re.compile(r"\b(minutes?|mins?|hours?|hrs?|half|quarter|all day|day long)\b")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})")
_TIME_WORDS = re.compile(
    r"\b(today|tonight|tomorrow|morning|afternoon|evening|noon|midday|midnight|week|month|"
    r"weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|"
    r"thurs|fri|sat|sun|january|february|march|april|may|june|july|august|september|october|"
    r"november|december|minutes?|mins?|hours?|days?|weeks?|o'?clock|half past|quarter|"
    r"\d{1,2}(:\d{2})?\s*(am|pm|a\.m\.?|p\.m\.?)?|at (one|two|three|four|five|six|seven|"
    r"eight|nine|ten|eleven|twelve)|(one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve)\s*(am|pm|a\.m\.?|p\.m\.?|thirty|fifteen|forty)|\d{1,2}(st|nd|rd|th)|eod|end of|"
    r"(to|at|by|until|till|from|around|for)\s+(one|two|three|four|five|six|seven|eight|nine|"
    r"ten|eleven|twelve|half|quarter))\b"
)
_WORD = re.compile(r"[a-z0-9]{3,}")
_STEMS = re.compile(r"(ing|ed|es|s)$")


def named_day(utterance: str, today: date) -> date | None:
    """The one day the caller named, if exactly one (weekdays: the next one, never today)."""
    text = utterance.lower()
    days: set[date] = set()
    if "day after tomorrow" in text:
        days.add(today + timedelta(days=2))
        text = text.replace("day after tomorrow", "")
    if re.search(r"\btomorrow\b", text):
        days.add(today + timedelta(days=1))
    if re.search(r"\b(today|tonight)\b", text):
        days.add(today)
    for index, name in enumerate(_WEEKDAYS):
        if re.search(rf"\b{name}\b", text):
            ahead = (index - today.weekday()) % 7 or 7
            days.add(today + timedelta(days=ahead))
    return days.pop() if len(days) == 1 else None


def _fix_date(value: str, day: date | None) -> str:
    """Put the named day into an ISO date the model computed."""
    match = _ISO_DATE.search(value)
    if day is None or match is None:
        return value
    return value[: match.start()] + day.isoformat() + value[match.end() :]


def _stem(word: str) -> str:
    return _STEMS.sub("", word) if len(word) > 4 else word


def _supported(value: str, said: set[str]) -> bool:
    """More than half of the value's words (3+ letters) were said."""
    words = [_stem(w) for w in _WORD.findall(value.lower())]
    if not words:
        return True
    return sum(w in said for w in words) * 2 > len(words)


def clean_value(value: Any) -> Any:
    """Trim whitespace, trailing punctuation and data marks copied from the prompt."""
    if isinstance(value, str):
        return value.replace("«", "").replace("»", "").strip().rstrip(".,;:!").strip()
    if isinstance(value, list):
        return [clean_value(v) for v in value if isinstance(v, str) and v.strip()]
    return value


def ground_args(
    args: Mapping[str, Any], required: Iterable[str], utterance: str, today: date
) -> dict[str, Any]:
    """``args`` cleaned, with dates matched to the named day and unsupported optional ones
    (and list entries) dropped."""
    needed = set(required)
    text = utterance.lower().replace("’", "'")
    said = {_stem(w) for w in _WORD.findall(text)}
    has_time = _TIME_WORDS.search(text) is not None
    day = named_day(text, today)
    out: dict[str, Any] = {}
    for key, raw in args.items():
        value = clean_value(raw)
        if value in ("", [], None):
            continue
        if key in needed:
            out[key] = (
                _fix_date(value, day) if isinstance(value, str) and key in TIME_KEYS else value
            )
        elif isinstance(value, str) and key in TIME_KEYS:
            if has_time:
                out[key] = _fix_date(value, day)
        elif isinstance(value, str) and key in DURATION_KEYS:
            if _DURATION_WORDS.search(text):
                out[key] = value
        elif isinstance(value, str):
            if _supported(value, said):
                out[key] = value
        elif isinstance(value, list):
            kept = [v for v in value if _supported(v, said)]
            if kept:
                out[key] = kept
        else:
            out[key] = value
    return out


def required_of(schemas: list[dict[str, Any]]) -> frozenset[str]:
    """The required argument names of the first OpenAI tool schema (empty if none)."""
    if not schemas:
        return frozenset()
    params = schemas[0].get("function", {}).get("parameters", {})
    return frozenset(params.get("required", ()))
