"""Which item the caller means: "the dentist one", "my two o'clock on Wednesday", "the bank todo".

Tools that act on a todo, reminder or event take the caller's words, not an id. This module
decides, over the caller's own candidates, which one those words name. Pure: candidates and
a reference in, one candidate (or a one-sentence question or refusal) out.

How a reference is read:

* ``#12`` names item 12 exactly (the agent uses it after the caller picked from a question;
  the caller never hears ids);
* words about time ("Wednesday", "tomorrow", "two o'clock", "3 pm", "noon") keep only the
  candidates at that day and hour;
* the other words, minus fillers ("the", "my", "one", "task", "meeting"), are matched against
  titles word by word, tolerating recognition slips ("dentist" ~ "dentists", "invoce"): one
  or two words must all be found, longer references mostly (a day in a title, "the monday
  report", still counts when no item is at that day);
* one clear best → that item; several equally good → :class:`Ambiguous` with the choices
  (at most three) as "Which one: A, or B?"; none → :class:`NotFound`;
* "all", "everything", "every", "whole", ... with nothing else that names an item →
  :class:`InvalidInput`: items are changed one at a time ("whole milk" is still a title).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from mcp_tools.errors import Ambiguous, Choice, InvalidInput, NotFound, said
from switchboard.text.matching import NUMBER_WORDS, content_words, match_score, words

MAX_CHOICES = 3

BULK_WORDS = frozenset({"all", "everything", "every", "whole", "entire", "list", "them", "both",
                        "things", "stuff", "lot", "everyone"})  # fmt: skip
"""Words that name no item: a reference made only of them means "all of it"."""
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SHORT_DAYS = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4}
"""Spoken or written short forms ("sat" and "sun" are ordinary words too, so they are not)."""
_NUMBERS = {word: int(digits) for word, digits in NUMBER_WORDS.items()}
_CLOCK = re.compile(
    r"\b(\d{1,2}|" + "|".join(list(_NUMBERS)[1:]) + r")"
    r"(?::(\d{2}))?\s*(o'?clock|am|pm|a\.m\.?|p\.m\.?)?(?=\W|$)",
    re.I,
)
_NOON = re.compile(r"\b(noon|midday)\b", re.I)


@dataclass(frozen=True)
class Candidate:
    """One item the caller could mean: its id, title, local time and other searchable words."""

    id: int
    title: str
    at: datetime | None = None
    """The item's time in the caller's timezone (due, start, remind), if any."""
    extra: str = ""
    """More words that name it (attendees' names), matched like the title but weaker."""


@dataclass(frozen=True)
class TimeHint:
    """The day and hour a reference names, if any."""

    day: date | None = None
    hour: int | None = None
    """0–23 when am/pm was said, else 1–12 (matched either way round)."""
    minute: int | None = None
    exact: bool = False
    """True when am/pm (or noon) fixed the hour."""


def time_hint(reference: str, today: date) -> tuple[TimeHint, str]:
    """The day/hour named in ``reference``, and the reference with those words removed."""
    text = reference.lower()
    day: date | None = None
    if "day after tomorrow" in text:
        day, text = today + timedelta(days=2), text.replace("day after tomorrow", " ")
    elif re.search(r"\btomorrow\b", text):
        day, text = today + timedelta(days=1), re.sub(r"\btomorrow\b", " ", text)
    elif re.search(r"\b(today|tonight)\b", text):
        day, text = today, re.sub(r"\b(today|tonight)\b", " ", text)
    for index, name in enumerate(_WEEKDAYS):
        short = [k for k, v in _SHORT_DAYS.items() if v == index]
        pattern = rf"\b(?:{name}s?{''.join('|' + k for k in short)})\b"
        if re.search(pattern, text):
            ahead = (index - today.weekday()) % 7
            day = today + timedelta(days=ahead)
            text = re.sub(pattern, " ", text)
    hour = minute = None
    exact = False
    if _NOON.search(text):
        hour, minute, exact = 12, 0, True
        text = _NOON.sub(" ", text)
    else:
        for match in _CLOCK.finditer(text):
            number, mins, suffix = match.group(1), match.group(2), (match.group(3) or "").lower()
            value = int(number) if number.isdigit() else _NUMBERS[number.lower()]
            before = text[: match.start()]
            said_as_time = bool(
                suffix or mins or re.search(r"\bat\s*$", before)
                or (number.isdigit() and re.search(r"\b(my|the)\s*$", before))
            )  # fmt: skip
            if not said_as_time:
                continue  # "the one about lunch", "call mum 2": not a time
            if not 0 < value <= 23:
                continue
            hour, minute = value, int(mins) if mins else None
            if suffix.startswith("p"):
                hour, exact = (hour % 12) + 12, True
            elif suffix.startswith("a"):
                hour, exact = hour % 12, True
            elif hour > 12:
                exact = True
            text = text[: match.start()] + " " + text[match.end() :]
            break
    return TimeHint(day, hour, minute, exact), text


def _time_fits(hint: TimeHint, at: datetime | None) -> bool:
    if hint.day is None and hint.hour is None:
        return True
    if at is None:
        return False
    if hint.day is not None and at.date() != hint.day:
        return False
    if hint.hour is not None:
        same = at.hour == hint.hour if hint.exact else at.hour % 12 == hint.hour % 12
        if not same or (hint.minute is not None and at.minute != hint.minute):
            return False
    return True


def candidate_score(spoken: list[str], candidate: Candidate) -> float:
    """Share (0–1) of the reference's words found in the candidate's title (extra: half)."""
    return match_score(spoken, candidate.title, candidate.extra)


def _good(spoken: list[str], candidates: Sequence[Candidate]) -> list[tuple[float, Candidate]]:
    """Candidates named by most of the spoken words (all of them when one or two are said),
    best first."""
    needed = 1.0 if len(spoken) <= 2 else 0.5 + 1e-9
    named = [c for c in candidates if match_score(spoken, f"{c.title} {c.extra}") >= needed]
    scored = ((candidate_score(spoken, c), c) for c in named)
    return sorted(scored, key=lambda pair: (-pair[0], pair[1].id))


def describe(candidate: Candidate) -> str:
    """How a candidate is named in a question."""
    return candidate.title


def resolve(
    reference: str, candidates: Sequence[Candidate], *, kind: str, today: date
) -> Candidate:
    """The one candidate ``reference`` names (see the module docstring)."""
    ref = " ".join((reference or "").split())
    if not ref:
        raise InvalidInput(f"Which {kind} do you mean?")
    exact = re.fullmatch(r"#(\d{1,9})", ref)
    if exact:
        wanted = int(exact.group(1))
        for candidate in candidates:
            if candidate.id == wanted:
                return candidate
        raise NotFound(f"I couldn't find that {kind} any more.")
    everything = content_words(ref)
    naming = [w for w in everything if w not in BULK_WORDS]
    if len(naming) < len(everything) and not (naming and _good(naming, candidates)):
        raise InvalidInput(f"I can only do that for one {kind} at a time. Which one do you mean?")
    hint, rest = time_hint(ref, today)
    good = _good(content_words(rest), [c for c in candidates if _time_fits(hint, c.at)])
    if not good and hint.day is not None and hint.hour is None:
        # "the monday report": the day may be part of the name rather than its time
        day_words = set(everything) - set(content_words(rest))
        named = [c for c in candidates if day_words & set(words(c.title))]
        good = _good(everything, named)
    if not good:
        article = "an" if kind[:1] in "aeiou" else "a"
        raise NotFound(f"I couldn't find {article} {kind} called {said(ref)}.")
    best = good[0][0]
    top = [c for s, c in good if s >= best - 0.01]
    if len(top) == 1:
        return top[0]
    shown = top[:MAX_CHOICES]
    choices = [Choice(f"#{c.id}", describe(c)) for c in shown]
    raise Ambiguous(which_question([c.title for c in choices]), choices)


def which_question(names: Sequence[str]) -> str:
    """ "Which one: A, or B?" """
    if len(names) == 2:
        return f"Which one: {names[0]}, or {names[1]}?"
    return "Which one: " + ", ".join(names[:-1]) + f", or {names[-1]}?"
