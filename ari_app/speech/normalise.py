"""Normalise what STT wrote: spoken digits → digits, times → a canonical form. Pure.

Whisper writes "4271", "4, 2, 7, 1", "four two seven one" or "forty two seventy one" for
the same PIN, and "3 p.m.", "3pm" or "three PM" for the same time. PIN checks and intent
matching use these functions instead of the raw text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ONES = {
    "zero": 0, "oh": 0, "o": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_REPEAT = {"double": 2, "triple": 3}
_HOMOPHONES = {"to": "two", "too": "two", "for": "four", "won": "one", "ate": "eight"}
_TOKEN_RE = re.compile(r"\d+|[a-z]+")
_AMPM_RE = re.compile(r"(?<![a-z])([ap])\.?\s?m\b\.?", re.I)


def _tokens(text: str) -> list[str]:
    text = text.lower().replace("’", "'")
    text = re.sub(r"(?<=\d)[,.\s-](?=\d)", "", text)  # "4,271" / "4-2-7-1" → "4271"
    return _TOKEN_RE.findall(text)


def _number_groups(tokens: list[str], homophones: bool) -> list[tuple[int, str]]:
    """(token index, digit string) for each number said, in order."""
    groups: list[tuple[int, str]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if homophones and tok in _HOMOPHONES and _near_number(tokens, i):
            tok = _HOMOPHONES[tok]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok.isdigit():
            groups.append((i, tok))
        elif tok in _REPEAT and (nxt in _ONES or (nxt.isdigit() and len(nxt) == 1)):
            digit = nxt if nxt.isdigit() else str(_ONES[nxt])
            groups.append((i, digit * _REPEAT[tok]))
            i += 1
        elif tok in _ONES and nxt == "hundred":
            value, used = _hundreds(_ONES[tok], tokens[i + 2 :])
            groups.append((i, str(value)))
            i += 1 + used
        elif tok in _ONES and not (tok == "o" and not _near_number(tokens, i)):
            groups.append((i, str(_ONES[tok])))
        elif tok in _TEENS:
            groups.append((i, str(_TEENS[tok])))
        elif tok in _TENS:
            if nxt in _ONES and _ONES[nxt] > 0 and nxt not in ("o", "oh"):
                groups.append((i, str(_TENS[tok] + _ONES[nxt])))
                i += 1
            else:
                groups.append((i, str(_TENS[tok])))
        i += 1
    return groups


def _near_number(tokens: list[str], i: int) -> bool:
    def is_num(t: str) -> bool:
        return t.isdigit() or t in _ONES or t in _TEENS or t in _TENS

    before = i > 0 and is_num(tokens[i - 1])
    after = i + 1 < len(tokens) and is_num(tokens[i + 1])
    return before or after


def _hundreds(h: int, rest: list[str]) -> tuple[int, int]:
    """Value of "<h> hundred [and] <rest...>" and how many tokens after "hundred" it used."""
    used = 1  # "hundred"
    j = 0
    if rest and rest[0] == "and":
        j = 1
    tail = rest[j:]
    if tail and tail[0] in _TEENS:
        return h * 100 + _TEENS[tail[0]], used + j + 1
    if tail and tail[0] in _TENS:
        extra = _ONES.get(tail[1], 0) if len(tail) > 1 else 0
        return h * 100 + _TENS[tail[0]] + extra, used + j + (2 if extra else 1)
    if tail and tail[0] in _ONES:
        return h * 100 + _ONES[tail[0]], used + j + 1
    return h * 100, used


def extract_digits(text: str, homophones: bool = True) -> str:
    """Every digit the caller said, in order: "my pin is four two seven one" → "4271".

    Handles numerals, digit words, "oh", "double five", tens ("forty two seventy one" →
    "4271") and hundreds ("four hundred twelve" → "412"). Other words are ignored; with
    ``homophones`` "to"/"for" next to numbers count as two/four ("one to three" → "123").
    """
    return "".join(d for _, d in _number_groups(_tokens(text), homophones))


def extract_pin(text: str, min_len: int = 4, max_len: int = 6) -> str | None:
    """The PIN in ``text`` when it has between ``min_len`` and ``max_len`` digits, else None."""
    digits = extract_digits(text)
    return digits if min_len <= len(digits) <= max_len else None


@dataclass(frozen=True, order=True)
class TimeOfDay:
    """A clock time; ``str()`` gives the canonical 24-hour ``HH:MM``."""

    hour: int
    minute: int = 0

    def __str__(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"


def _to_24h(hour: int, minute: int, meridiem: str | None) -> TimeOfDay | None:
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return TimeOfDay(hour, minute)


def normalise_text(text: str) -> str:
    """Lower-case, canonical "am"/"pm", number words → numerals, punctuation dropped.

    "Remind me at Three P.M." → "remind me at 3 pm"; "at nine thirty" → "at 9 30".
    """
    text = _AMPM_RE.sub(lambda m: f" {m.group(1).lower()}m ", text)
    text = text.replace("o'clock", " oclock").replace("o’clock", " oclock")
    tokens = re.findall(r"\d{1,2}:\d{2}|\d+|[a-z']+", text.lower())
    words = [t for t in tokens if t != "'"]
    groups = dict(_number_groups(words, homophones=False))
    out: list[str] = []
    skip_until = -1
    for i, w in enumerate(words):
        if i <= skip_until:
            continue
        if i in groups:
            out.append(groups[i])
            skip_until = i + _span(words, i)  # the words that belonged to this number
            continue
        out.append(w)
    return " ".join(out)


def _span(words: list[str], i: int) -> int:
    """How many extra tokens the number starting at ``i`` used (matches _number_groups)."""
    tok, nxt = words[i], words[i + 1] if i + 1 < len(words) else ""
    if tok in _REPEAT:
        return 1
    if tok in _ONES and nxt == "hundred":
        return _hundreds(_ONES[tok], words[i + 2 :])[1]
    if tok in _TENS and nxt in _ONES and _ONES[nxt] > 0 and nxt not in ("o", "oh"):
        return 1
    return 0


def parse_time(text: str) -> TimeOfDay | None:
    """The first clock time said in ``text``, in 24-hour form, or None.

    "3 p.m." → 15:00, "nine thirty am" → 09:30, "15:45" → 15:45, "noon" → 12:00,
    "half past three" → 03:30, "quarter to five pm" → 16:45, "7 o'clock" → 07:00.
    """
    t = normalise_text(text)
    if re.search(r"\bnoon\b|\bmidday\b", t):
        return TimeOfDay(12, 0)
    if re.search(r"\bmidnight\b", t):
        return TimeOfDay(0, 0)
    m = re.search(r"\b(half|quarter) (past|to) (\d{1,2})(?: (am|pm))?\b", t)
    if m:
        minutes = 30 if m.group(1) == "half" else 15
        hour = int(m.group(3))
        if m.group(2) == "to":
            hour, minutes = (hour - 1) % 24, 60 - minutes
            if hour == 0 and m.group(4):
                hour = 12
        return _to_24h(hour, minutes, m.group(4))
    m = re.search(r"\b(\d{1,2}):(\d{2})(?: (am|pm))?\b", t)
    if m:
        return _to_24h(int(m.group(1)), int(m.group(2)), m.group(3))
    m = re.search(r"\b(\d{1,2})(?: (\d{2}))?(?: (am|pm|oclock))\b", t)
    if m:
        meridiem = m.group(3) if m.group(3) != "oclock" else None
        return _to_24h(int(m.group(1)), int(m.group(2) or 0), meridiem)
    m = re.search(r"\b(\d{1,2})(\d{2}) (am|pm)\b", t)  # "930 am"
    if m:
        return _to_24h(int(m.group(1)), int(m.group(2)), m.group(3))
    return None
