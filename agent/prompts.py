"""The voice-first prompt: a stable prefix, then a per-turn "now" note.

Prompt caching (llama.cpp's slot cache, provider prompt caches) reuses the longest unchanged
prefix, so the system prompt starts with what is fixed for the whole call (the rules, who the
caller is) and ends with what changes every turn: today's date, the time and a weekday → date
table in the caller's timezone, computed per turn by :func:`now_note` (never hard-coded).
Measured on the bundled 1.5B model: the note belongs in the system prompt (in front of the
caller's words it resolved "tomorrow" to a wrong date), and an explicit "call the tool right
away, leave out optional arguments" rule turned prose answers into tool calls.
Tool descriptions are the server's own and carry no example values (models copy them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

RULES = """You are Switchboard, a phone assistant for the caller's team. Replies are spoken: \
one or two short plain sentences, no lists or markdown, one question at a time.
When a tool matches the caller's request, call it right away with the arguments the caller \
gave; leave out optional arguments the caller did not mention and never ask for them.
Pass dates, times and names as the caller said them.
To reach a person, call transfer_to_department with the department named (General if none).
After a tool, say briefly what was done. Without a matching tool (thanks, greetings), just \
answer briefly."""


@dataclass(frozen=True)
class CallerContext:
    """Who is on the call, as the PIN check established it (never from the model)."""

    name: str
    role: str = "member"
    timezone: str = "UTC"
    teams: tuple[str, ...] = ()
    call_id: str = ""
    caller_number: str = ""


def zone_of(name: str) -> ZoneInfo:
    """The caller's timezone (UTC when the name is unknown)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def system_prompt(caller: CallerContext, earlier: str = "", note: str = "") -> str:
    """The system prompt: rules and caller (stable), then ``earlier`` (a summary after a
    restart) and the per-turn ``note`` (:func:`now_note`)."""
    teams = ", ".join(caller.teams) if caller.teams else "none"
    text = (
        f"{RULES}\n\nThe caller is {caller.name}, {caller.role}. Teams: {teams}. "
        f"Timezone: {caller.timezone}."
    )
    if earlier:
        text += f"\nEarlier in this call: {earlier}"
    if note:
        text += f"\n{note}"
    return text


def weekday_table(today: datetime, days: int = 7) -> str:
    """``Fri 27 Nov, Sat 28 Nov, ...``: the coming days, so "next Monday" maps to a date."""
    return ", ".join(
        (today + timedelta(days=offset)).strftime("%a %d %b") for offset in range(1, days + 1)
    )


def _clock(moment: datetime) -> str:
    return moment.strftime("%I %p").lstrip("0")


def now_note(now: datetime, timezone: str) -> str:
    """The per-turn note: date, hour and the weekday table in the caller's timezone.

    The time is given to the hour ("between 10 AM and 11 AM"): the note then changes at most
    hourly, so the prompt cache keeps hitting; minutes matter only to phrases such as "in 20
    minutes", which the tool server resolves against its own clock.
    """
    local = now.astimezone(zone_of(timezone))
    start = local.replace(minute=0, second=0, microsecond=0)
    hour = f"between {_clock(start)} and {_clock(start + timedelta(hours=1))}"
    return (
        f"[Now: {local.strftime('%A %d %B %Y')}, {hour} ({timezone}). "
        f"Coming days: {weekday_table(local)}.]"
    )
