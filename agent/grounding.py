"""Keep a small model's tool arguments to what the caller said.

Seen on the bundled 1.5B model: it turns "next Monday" into a wrong ISO date (the 3rd instead
of the 30th) although the prompt has the weekday table, and it fills optional arguments the
caller never mentioned (a due time of today, notes it made up, ``priority: normal``).
:func:`ground_args` fixes the date part of a time argument when the caller named exactly one
day ("today", "tomorrow", "the day after tomorrow", a weekday) and drops optional arguments
that nothing in the caller's words supports. Required arguments are never dropped. Pure.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

TIME_KEYS = frozenset({"due", "when", "start", "end", "day", "until", "time"})
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})")
_TIME_WORDS = re.compile(
    r"\b(today|tonight|tomorrow|morning|afternoon|evening|noon|midnight|week|month|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"minutes?|hours?|days?|\d{1,2}(:\d{2})?\s*(am|pm|a\.m\.|p\.m\.)|at \d{1,2}|"
    r"\d{1,2}(st|nd|rd|th))\b"
)
_WORD = re.compile(r"[a-z0-9]{3,}")
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_SPELLED_DATE = re.compile(
    rf"(?:(?:{'|'.join(_WEEKDAYS)}),?\s+)?"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})|(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?)"
    r",?\s+\d{4}",
    re.IGNORECASE,
)
_ZONE_NOTE = re.compile(r"\s*\([A-Za-z_]+/[A-Za-z_/]+\)")


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
    """Put the named day into an ISO or spelled-out date ("Monday 03 November 2026")."""
    value = _ZONE_NOTE.sub("", value)
    if day is None:
        return value
    for pattern in (_ISO_DATE, _SPELLED_DATE):
        match = pattern.search(value)
        if match is not None:
            return value[: match.start()] + day.isoformat() + value[match.end() :]
    return value


def _supported(value: str, utterance: str) -> bool:
    words = _WORD.findall(value.lower())
    if not words:
        return True
    said = set(_WORD.findall(utterance.lower()))
    return sum(w in said for w in words) * 2 > len(words)


def ground_args(
    args: dict[str, Any], required: frozenset[str], utterance: str, today: date
) -> dict[str, Any]:
    """``args`` with dates matched to the named day and unsupported optional ones dropped."""
    day = named_day(utterance, today)
    has_time = _TIME_WORDS.search(utterance.lower()) is not None
    out: dict[str, Any] = {}
    for key, value in args.items():
        if isinstance(value, str) and key in TIME_KEYS:
            if key not in required and not has_time:
                continue
            out[key] = _fix_date(value, day)
        elif isinstance(value, str) and key not in required and not _supported(value, utterance):
            continue
        else:
            out[key] = value
    return out


def required_of(schemas: list[dict[str, Any]]) -> frozenset[str]:
    """The required argument names of the first OpenAI tool schema (empty if none)."""
    if not schemas:
        return frozenset()
    params = schemas[0].get("function", {}).get("parameters", {})
    return frozenset(params.get("required", ()))
